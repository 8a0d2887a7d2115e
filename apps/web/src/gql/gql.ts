/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      user {\n        id\n        username\n        role\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  mutation CreateHostingPlan($input: CreateHostingPlanInput!) {\n    createHostingPlan(input: $input) {\n      hostingPlan {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateHostingPlanDocument,
    "\n  query CustomerDetail($id: ID!) {\n    customer(id: $id) {\n      id\n      company\n      contactName\n      email\n      isActive\n      startDate\n      endDate\n      listCount\n      memberCount\n      plan {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          server {\n            id\n            name\n          }\n          site {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.CustomerDetailDocument,
    "\n  mutation UpdateCustomer($input: UpdateCustomerInput!) {\n    updateCustomer(input: $input) {\n      customer {\n        id\n        company\n        contactName\n        email\n        isActive\n        startDate\n        endDate\n        plan {\n          id\n          name\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.UpdateCustomerDocument,
    "\n  query CustomerOptions {\n    customers(first: 100, filter: { isActive: true }) {\n      nodes {\n        id\n        company\n      }\n    }\n  }\n": typeof types.CustomerOptionsDocument,
    "\n  query Customers($after: String, $filter: CustomerFilter) {\n    customers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        company\n        contactName\n        email\n        isActive\n        listCount\n        memberCount\n        plan {\n          id\n          name\n          maxLists\n          maxMembers\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.CustomersDocument,
    "\n  mutation CreateCustomer($input: CreateCustomerInput!) {\n    createCustomer(input: $input) {\n      customer {\n        id\n        company\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateCustomerDocument,
    "\n  query HostingPlans {\n    hostingPlans(first: 100) {\n      nodes {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n        messageUnitBytes\n      }\n    }\n  }\n": typeof types.HostingPlansDocument,
    "\n  query ValidationErrors($after: String, $filter: ValidationErrorFilter) {\n    validationErrors(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ValidationErrorRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n  fragment ValidationErrorRow on ValidationError {\n    id\n    code\n    severity\n    objectType\n    objectKey\n    message\n    remedy\n    billingValue\n    hostingValue\n    fixable\n    status\n    detectedAt\n    fixedAt\n    server {\n      id\n      name\n    }\n    customer {\n      id\n      company\n    }\n  }\n": typeof types.ValidationErrorsDocument,
    "\n  mutation FixValidationErrors($input: FixValidationErrorsInput!) {\n    fixValidationErrors(input: $input) {\n      results {\n        errorId\n        status\n        code\n        reason\n      }\n      job {\n        id\n        state\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.FixValidationErrorsDocument,
    "\n  mutation IgnoreValidationErrors($input: IgnoreValidationErrorsInput!) {\n    ignoreValidationErrors(input: $input) {\n      errors {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.IgnoreValidationErrorsDocument,
    "\n  query Jobs($after: String, $filter: JobFilter) {\n    jobs(first: 50, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.JobsDocument,
    "\n  fragment JobFields on Job {\n    id\n    kind\n    state\n    progress\n    trigger\n    actor\n    input\n    result\n    error\n    createdAt\n    startedAt\n    finishedAt\n    server {\n      id\n      name\n    }\n  }\n": typeof types.JobFieldsFragmentDoc,
    "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.JobUpdatedDocument,
    "\n  query JobById($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.JobByIdDocument,
    "\n  query Lists($after: String, $filter: ListFilter) {\n    lists(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        name\n        description\n        topic\n        memberCount\n        maxMembers\n        disabled\n        removedAt\n        hostCreatedAt\n        server {\n          id\n          name\n        }\n        site {\n          id\n          name\n        }\n        customer {\n          id\n          company\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListsDocument,
    "\n  mutation AssignLists($input: AssignListsInput!) {\n    assignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.AssignListsDocument,
    "\n  mutation UnassignLists($input: UnassignListsInput!) {\n    unassignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.UnassignListsDocument,
    "\n  mutation CreateServer($input: CreateServerInput!) {\n    createServer(input: $input) {\n      server {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateServerDocument,
    "\n  query ServerDetail($id: ID!) {\n    server(id: $id) {\n      ...ServerRowFields\n      comments\n      passwordSet\n      createdAt\n      sites(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          hostName\n          description\n          removedAt\n        }\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          site {\n            id\n            name\n          }\n          customer {\n            id\n            company\n          }\n        }\n      }\n      validationErrors(first: 20, filter: { status: [OPEN] }) {\n        totalCount\n        nodes {\n          id\n          code\n          severity\n          objectKey\n          message\n        }\n      }\n      jobs(first: 20) {\n        totalCount\n        nodes {\n          ...JobFields\n        }\n      }\n    }\n  }\n": typeof types.ServerDetailDocument,
    "\n  query ServerOptions {\n    servers(first: 100) {\n      totalCount\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ServerOptionsDocument,
    "\n  fragment ServerRowFields on Server {\n    id\n    name\n    hostName\n    port\n    status\n    version\n    validatedAt\n    syncedAt\n    openErrorCount\n    autoSync\n  }\n": typeof types.ServerRowFieldsFragmentDoc,
    "\n  mutation SetAutoSync($input: UpdateServerInput!) {\n    updateServer(input: $input) {\n      server {\n        id\n        autoSync\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.SetAutoSyncDocument,
    "\n  query Servers($after: String, $filter: ServerFilter) {\n    servers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ServerRowFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ServersDocument,
    "\n  mutation TestServerConnection($input: TestServerConnectionInput!) {\n    testServerConnection(input: $input) {\n      ok\n      reason\n      message\n      version\n      latencyMs\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.TestServerConnectionDocument,
    "\n  mutation ValidateServers($input: ValidateServersInput!) {\n    validateServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.ValidateServersDocument,
    "\n  mutation SyncServers($input: SyncServersInput!) {\n    syncServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.SyncServersDocument,
    "\n  query Usage($filter: UsageFilter!) {\n    usage(filter: $filter) {\n      period\n      messages\n      recipients\n      bytes\n      units\n    }\n  }\n": typeof types.UsageDocument,
};
const documents: Documents = {
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      user {\n        id\n        username\n        role\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": types.MeDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  mutation CreateHostingPlan($input: CreateHostingPlanInput!) {\n    createHostingPlan(input: $input) {\n      hostingPlan {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateHostingPlanDocument,
    "\n  query CustomerDetail($id: ID!) {\n    customer(id: $id) {\n      id\n      company\n      contactName\n      email\n      isActive\n      startDate\n      endDate\n      listCount\n      memberCount\n      plan {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          server {\n            id\n            name\n          }\n          site {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.CustomerDetailDocument,
    "\n  mutation UpdateCustomer($input: UpdateCustomerInput!) {\n    updateCustomer(input: $input) {\n      customer {\n        id\n        company\n        contactName\n        email\n        isActive\n        startDate\n        endDate\n        plan {\n          id\n          name\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.UpdateCustomerDocument,
    "\n  query CustomerOptions {\n    customers(first: 100, filter: { isActive: true }) {\n      nodes {\n        id\n        company\n      }\n    }\n  }\n": types.CustomerOptionsDocument,
    "\n  query Customers($after: String, $filter: CustomerFilter) {\n    customers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        company\n        contactName\n        email\n        isActive\n        listCount\n        memberCount\n        plan {\n          id\n          name\n          maxLists\n          maxMembers\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.CustomersDocument,
    "\n  mutation CreateCustomer($input: CreateCustomerInput!) {\n    createCustomer(input: $input) {\n      customer {\n        id\n        company\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateCustomerDocument,
    "\n  query HostingPlans {\n    hostingPlans(first: 100) {\n      nodes {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n        messageUnitBytes\n      }\n    }\n  }\n": types.HostingPlansDocument,
    "\n  query ValidationErrors($after: String, $filter: ValidationErrorFilter) {\n    validationErrors(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ValidationErrorRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n  fragment ValidationErrorRow on ValidationError {\n    id\n    code\n    severity\n    objectType\n    objectKey\n    message\n    remedy\n    billingValue\n    hostingValue\n    fixable\n    status\n    detectedAt\n    fixedAt\n    server {\n      id\n      name\n    }\n    customer {\n      id\n      company\n    }\n  }\n": types.ValidationErrorsDocument,
    "\n  mutation FixValidationErrors($input: FixValidationErrorsInput!) {\n    fixValidationErrors(input: $input) {\n      results {\n        errorId\n        status\n        code\n        reason\n      }\n      job {\n        id\n        state\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.FixValidationErrorsDocument,
    "\n  mutation IgnoreValidationErrors($input: IgnoreValidationErrorsInput!) {\n    ignoreValidationErrors(input: $input) {\n      errors {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.IgnoreValidationErrorsDocument,
    "\n  query Jobs($after: String, $filter: JobFilter) {\n    jobs(first: 50, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.JobsDocument,
    "\n  fragment JobFields on Job {\n    id\n    kind\n    state\n    progress\n    trigger\n    actor\n    input\n    result\n    error\n    createdAt\n    startedAt\n    finishedAt\n    server {\n      id\n      name\n    }\n  }\n": types.JobFieldsFragmentDoc,
    "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobFields\n    }\n  }\n": types.JobUpdatedDocument,
    "\n  query JobById($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n": types.JobByIdDocument,
    "\n  query Lists($after: String, $filter: ListFilter) {\n    lists(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        name\n        description\n        topic\n        memberCount\n        maxMembers\n        disabled\n        removedAt\n        hostCreatedAt\n        server {\n          id\n          name\n        }\n        site {\n          id\n          name\n        }\n        customer {\n          id\n          company\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListsDocument,
    "\n  mutation AssignLists($input: AssignListsInput!) {\n    assignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.AssignListsDocument,
    "\n  mutation UnassignLists($input: UnassignListsInput!) {\n    unassignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.UnassignListsDocument,
    "\n  mutation CreateServer($input: CreateServerInput!) {\n    createServer(input: $input) {\n      server {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateServerDocument,
    "\n  query ServerDetail($id: ID!) {\n    server(id: $id) {\n      ...ServerRowFields\n      comments\n      passwordSet\n      createdAt\n      sites(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          hostName\n          description\n          removedAt\n        }\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          site {\n            id\n            name\n          }\n          customer {\n            id\n            company\n          }\n        }\n      }\n      validationErrors(first: 20, filter: { status: [OPEN] }) {\n        totalCount\n        nodes {\n          id\n          code\n          severity\n          objectKey\n          message\n        }\n      }\n      jobs(first: 20) {\n        totalCount\n        nodes {\n          ...JobFields\n        }\n      }\n    }\n  }\n": types.ServerDetailDocument,
    "\n  query ServerOptions {\n    servers(first: 100) {\n      totalCount\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.ServerOptionsDocument,
    "\n  fragment ServerRowFields on Server {\n    id\n    name\n    hostName\n    port\n    status\n    version\n    validatedAt\n    syncedAt\n    openErrorCount\n    autoSync\n  }\n": types.ServerRowFieldsFragmentDoc,
    "\n  mutation SetAutoSync($input: UpdateServerInput!) {\n    updateServer(input: $input) {\n      server {\n        id\n        autoSync\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.SetAutoSyncDocument,
    "\n  query Servers($after: String, $filter: ServerFilter) {\n    servers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ServerRowFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ServersDocument,
    "\n  mutation TestServerConnection($input: TestServerConnectionInput!) {\n    testServerConnection(input: $input) {\n      ok\n      reason\n      message\n      version\n      latencyMs\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.TestServerConnectionDocument,
    "\n  mutation ValidateServers($input: ValidateServersInput!) {\n    validateServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.ValidateServersDocument,
    "\n  mutation SyncServers($input: SyncServersInput!) {\n    syncServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.SyncServersDocument,
    "\n  query Usage($filter: UsageFilter!) {\n    usage(filter: $filter) {\n      period\n      messages\n      recipients\n      bytes\n      units\n    }\n  }\n": types.UsageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      user {\n        id\n        username\n        role\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      user {\n        id\n        username\n        role\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateHostingPlan($input: CreateHostingPlanInput!) {\n    createHostingPlan(input: $input) {\n      hostingPlan {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateHostingPlan($input: CreateHostingPlanInput!) {\n    createHostingPlan(input: $input) {\n      hostingPlan {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerDetail($id: ID!) {\n    customer(id: $id) {\n      id\n      company\n      contactName\n      email\n      isActive\n      startDate\n      endDate\n      listCount\n      memberCount\n      plan {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          server {\n            id\n            name\n          }\n          site {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerDetail($id: ID!) {\n    customer(id: $id) {\n      id\n      company\n      contactName\n      email\n      isActive\n      startDate\n      endDate\n      listCount\n      memberCount\n      plan {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          server {\n            id\n            name\n          }\n          site {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCustomer($input: UpdateCustomerInput!) {\n    updateCustomer(input: $input) {\n      customer {\n        id\n        company\n        contactName\n        email\n        isActive\n        startDate\n        endDate\n        plan {\n          id\n          name\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCustomer($input: UpdateCustomerInput!) {\n    updateCustomer(input: $input) {\n      customer {\n        id\n        company\n        contactName\n        email\n        isActive\n        startDate\n        endDate\n        plan {\n          id\n          name\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CustomerOptions {\n    customers(first: 100, filter: { isActive: true }) {\n      nodes {\n        id\n        company\n      }\n    }\n  }\n"): (typeof documents)["\n  query CustomerOptions {\n    customers(first: 100, filter: { isActive: true }) {\n      nodes {\n        id\n        company\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Customers($after: String, $filter: CustomerFilter) {\n    customers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        company\n        contactName\n        email\n        isActive\n        listCount\n        memberCount\n        plan {\n          id\n          name\n          maxLists\n          maxMembers\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Customers($after: String, $filter: CustomerFilter) {\n    customers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        company\n        contactName\n        email\n        isActive\n        listCount\n        memberCount\n        plan {\n          id\n          name\n          maxLists\n          maxMembers\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCustomer($input: CreateCustomerInput!) {\n    createCustomer(input: $input) {\n      customer {\n        id\n        company\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCustomer($input: CreateCustomerInput!) {\n    createCustomer(input: $input) {\n      customer {\n        id\n        company\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HostingPlans {\n    hostingPlans(first: 100) {\n      nodes {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n        messageUnitBytes\n      }\n    }\n  }\n"): (typeof documents)["\n  query HostingPlans {\n    hostingPlans(first: 100) {\n      nodes {\n        id\n        name\n        maxLists\n        maxListsPerSite\n        maxSites\n        maxMembers\n        maxMembersPerList\n        messageUnitBytes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ValidationErrors($after: String, $filter: ValidationErrorFilter) {\n    validationErrors(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ValidationErrorRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n  fragment ValidationErrorRow on ValidationError {\n    id\n    code\n    severity\n    objectType\n    objectKey\n    message\n    remedy\n    billingValue\n    hostingValue\n    fixable\n    status\n    detectedAt\n    fixedAt\n    server {\n      id\n      name\n    }\n    customer {\n      id\n      company\n    }\n  }\n"): (typeof documents)["\n  query ValidationErrors($after: String, $filter: ValidationErrorFilter) {\n    validationErrors(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ValidationErrorRow\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n  fragment ValidationErrorRow on ValidationError {\n    id\n    code\n    severity\n    objectType\n    objectKey\n    message\n    remedy\n    billingValue\n    hostingValue\n    fixable\n    status\n    detectedAt\n    fixedAt\n    server {\n      id\n      name\n    }\n    customer {\n      id\n      company\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FixValidationErrors($input: FixValidationErrorsInput!) {\n    fixValidationErrors(input: $input) {\n      results {\n        errorId\n        status\n        code\n        reason\n      }\n      job {\n        id\n        state\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation FixValidationErrors($input: FixValidationErrorsInput!) {\n    fixValidationErrors(input: $input) {\n      results {\n        errorId\n        status\n        code\n        reason\n      }\n      job {\n        id\n        state\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IgnoreValidationErrors($input: IgnoreValidationErrorsInput!) {\n    ignoreValidationErrors(input: $input) {\n      errors {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation IgnoreValidationErrors($input: IgnoreValidationErrorsInput!) {\n    ignoreValidationErrors(input: $input) {\n      errors {\n        id\n        status\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Jobs($after: String, $filter: JobFilter) {\n    jobs(first: 50, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Jobs($after: String, $filter: JobFilter) {\n    jobs(first: 50, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobFields on Job {\n    id\n    kind\n    state\n    progress\n    trigger\n    actor\n    input\n    result\n    error\n    createdAt\n    startedAt\n    finishedAt\n    server {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment JobFields on Job {\n    id\n    kind\n    state\n    progress\n    trigger\n    actor\n    input\n    result\n    error\n    createdAt\n    startedAt\n    finishedAt\n    server {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  subscription JobUpdated($id: ID!) {\n    jobUpdated(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobById($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  query JobById($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Lists($after: String, $filter: ListFilter) {\n    lists(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        name\n        description\n        topic\n        memberCount\n        maxMembers\n        disabled\n        removedAt\n        hostCreatedAt\n        server {\n          id\n          name\n        }\n        site {\n          id\n          name\n        }\n        customer {\n          id\n          company\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Lists($after: String, $filter: ListFilter) {\n    lists(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        id\n        name\n        description\n        topic\n        memberCount\n        maxMembers\n        disabled\n        removedAt\n        hostCreatedAt\n        server {\n          id\n          name\n        }\n        site {\n          id\n          name\n        }\n        customer {\n          id\n          company\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssignLists($input: AssignListsInput!) {\n    assignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssignLists($input: AssignListsInput!) {\n    assignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnassignLists($input: UnassignListsInput!) {\n    unassignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UnassignLists($input: UnassignListsInput!) {\n    unassignLists(input: $input) {\n      lists {\n        id\n        customer {\n          id\n          company\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateServer($input: CreateServerInput!) {\n    createServer(input: $input) {\n      server {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateServer($input: CreateServerInput!) {\n    createServer(input: $input) {\n      server {\n        id\n        name\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServerDetail($id: ID!) {\n    server(id: $id) {\n      ...ServerRowFields\n      comments\n      passwordSet\n      createdAt\n      sites(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          hostName\n          description\n          removedAt\n        }\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          site {\n            id\n            name\n          }\n          customer {\n            id\n            company\n          }\n        }\n      }\n      validationErrors(first: 20, filter: { status: [OPEN] }) {\n        totalCount\n        nodes {\n          id\n          code\n          severity\n          objectKey\n          message\n        }\n      }\n      jobs(first: 20) {\n        totalCount\n        nodes {\n          ...JobFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ServerDetail($id: ID!) {\n    server(id: $id) {\n      ...ServerRowFields\n      comments\n      passwordSet\n      createdAt\n      sites(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          hostName\n          description\n          removedAt\n        }\n      }\n      lists(first: 100) {\n        totalCount\n        nodes {\n          id\n          name\n          memberCount\n          site {\n            id\n            name\n          }\n          customer {\n            id\n            company\n          }\n        }\n      }\n      validationErrors(first: 20, filter: { status: [OPEN] }) {\n        totalCount\n        nodes {\n          id\n          code\n          severity\n          objectKey\n          message\n        }\n      }\n      jobs(first: 20) {\n        totalCount\n        nodes {\n          ...JobFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServerOptions {\n    servers(first: 100) {\n      totalCount\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ServerOptions {\n    servers(first: 100) {\n      totalCount\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ServerRowFields on Server {\n    id\n    name\n    hostName\n    port\n    status\n    version\n    validatedAt\n    syncedAt\n    openErrorCount\n    autoSync\n  }\n"): (typeof documents)["\n  fragment ServerRowFields on Server {\n    id\n    name\n    hostName\n    port\n    status\n    version\n    validatedAt\n    syncedAt\n    openErrorCount\n    autoSync\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetAutoSync($input: UpdateServerInput!) {\n    updateServer(input: $input) {\n      server {\n        id\n        autoSync\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetAutoSync($input: UpdateServerInput!) {\n    updateServer(input: $input) {\n      server {\n        id\n        autoSync\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Servers($after: String, $filter: ServerFilter) {\n    servers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ServerRowFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Servers($after: String, $filter: ServerFilter) {\n    servers(first: 100, after: $after, filter: $filter) {\n      totalCount\n      nodes {\n        ...ServerRowFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestServerConnection($input: TestServerConnectionInput!) {\n    testServerConnection(input: $input) {\n      ok\n      reason\n      message\n      version\n      latencyMs\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TestServerConnection($input: TestServerConnectionInput!) {\n    testServerConnection(input: $input) {\n      ok\n      reason\n      message\n      version\n      latencyMs\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ValidateServers($input: ValidateServersInput!) {\n    validateServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ValidateServers($input: ValidateServersInput!) {\n    validateServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SyncServers($input: SyncServersInput!) {\n    syncServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SyncServers($input: SyncServersInput!) {\n    syncServers(input: $input) {\n      jobs {\n        id\n        server {\n          id\n        }\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Usage($filter: UsageFilter!) {\n    usage(filter: $filter) {\n      period\n      messages\n      recipients\n      bytes\n      units\n    }\n  }\n"): (typeof documents)["\n  query Usage($filter: UsageFilter!) {\n    usage(filter: $filter) {\n      period\n      messages\n      recipients\n      bytes\n      units\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;