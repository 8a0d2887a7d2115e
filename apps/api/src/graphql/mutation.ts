import { type MiddlewareFn, Mutation as MutationField, UseMiddleware } from "type-graphql";
import type { ApiContext } from "./context.js";

/**
 * A mutation resolves with loaders of its own. Mutations of one document run one after another
 * in one context: without this, the second would answer from what the first one's payload read
 * before the second changed it (a customer's listCount, a list's owner).
 */
const freshLoaders: MiddlewareFn<ApiContext> = ({ context }, next) => {
  context.loaders = context.newLoaders();
  return next();
};

type MutationArguments = Parameters<typeof MutationField>;

/** type-graphql's @Mutation, resolving with fresh loaders: every listbill mutation uses this one. */
export function Mutation(returnType: MutationArguments[0], options?: MutationArguments[1]): MethodDecorator {
  return (prototype, name, descriptor) => {
    UseMiddleware(freshLoaders)(prototype, name, descriptor);
    MutationField(returnType, options)(prototype, name, descriptor);
  };
}
