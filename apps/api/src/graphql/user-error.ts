import { Field, ObjectType } from "type-graphql";

/** A problem with a mutation's input: the mutation changed nothing. */
@ObjectType({ description: "Why a mutation refused its input; nothing was changed" })
export class UserError {
  @Field({ description: "Stable, machine-readable reason, e.g. DUPLICATE_NAME" })
  code!: string;

  @Field(() => [String], { nullable: true, description: "Path of the input field at fault, e.g. [\"input\", \"port\"]" })
  field?: string[] | null;

  @Field()
  message!: string;
}

export function userError(code: string, message: string, field?: string[]): UserError {
  return Object.assign(new UserError(), { code, message, field: field ?? null });
}

/**
 * Thrown by services when input is refused. Thrown inside a transaction it rolls the
 * transaction back, which is how a refused mutation is guaranteed to change no row.
 */
export class UserInputFailure extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((error) => `${error.code}: ${error.message}`).join("; "));
    this.name = "UserInputFailure";
  }
}

export function refuse(code: string, message: string, field?: string[]): never {
  throw new UserInputFailure([userError(code, message, field)]);
}

/**
 * Runs a mutation's service call and shapes its payload: the service's result plus
 * `userErrors`, empty on success; on refusal the errors with `refused` (e.g. empty lists for
 * non-null list fields) and every other field null.
 */
export async function toPayload<T extends object>(
  run: () => Promise<T>,
  refused: Partial<T> = {},
): Promise<Partial<T> & { userErrors: UserError[] }> {
  try {
    return { ...(await run()), userErrors: [] };
  } catch (error) {
    if (error instanceof UserInputFailure) return { ...refused, userErrors: error.errors };
    throw error;
  }
}
