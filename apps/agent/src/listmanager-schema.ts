/**
 * Where the agent finds ListManager's data: every table and column it reads, in one place, so
 * an installation whose schema differs (an older ListManager, a renamed table) is adjusted here
 * and nowhere else. The queries in listmanager-queries.ts are built only from these names.
 */
export const listManagerSchema = {
  /** One row: the installation's version, server name and whether mail logging is on. */
  config: { table: "config_", version: "Version_", serverName: "ServerName_", loggingEnabled: "LogEnabled_" },
  sites: { table: "sites_", id: "SiteID_", name: "Name_", title: "Title_", hostName: "HostName_" },
  /** A list belongs to a topic (lists_.Topic_ = topics_.TopicName_) and the topic to a site. */
  topics: { table: "topics_", name: "TopicName_", site: "SiteName_" },
  lists: {
    table: "lists_",
    id: "ListID_",
    name: "Name_",
    topic: "Topic_",
    description: "ShortDesc_",
    created: "Creatstamp_",
    /** 'T' or 'F', as ListManager stores flags. */
    disabled: "Disabled_",
    /** 0 or NULL: unlimited. */
    maxMembers: "MaxMembers_",
  },
  members: { table: "members_", list: "List_", status: "MemberType_" },
  log: {
    table: "log_",
    id: "LogID_",
    created: "Created_",
    list: "List_",
    site: "Site_",
    byteCount: "ByteCount_",
    recipientCount: "RecipientCount_",
    outmailId: "OutmailID_",
    subsetId: "SubsetID_",
    source: "Source_",
    title: "Title_",
  },
} as const;

/**
 * The indexes the agent's queries expect on a ListManager database (ListManager installations
 * create their own; @listbill/fixtures creates these). Without `members_ (List_, MemberType_)`
 * member counts read the whole members_ table instead of one covering index, several times
 * slower on a server with millions of members; the results are the same either way.
 */
export const listManagerIndexes = {
  /**
   * Member counts by list and status: a covering index, scanned in order and grouped as it goes
   * (MySQL), or sought list by list (SQLite; see ListManagerCommands.perListCounter).
   */
  membersByListAndStatus: { table: listManagerSchema.members.table, columns: [listManagerSchema.members.list, listManagerSchema.members.status] },
  /** lists_.Topic_ → topics_: ListManager's primary key on TopicName_. */
  topicsByName: { table: listManagerSchema.topics.table, columns: [listManagerSchema.topics.name] },
} as const;

/** MemberType_ values counted under their own name; every other value counts as "other". */
export const countedMemberTypes = ["normal", "held", "unsub", "confirm", "private", "expired"] as const;

/** ListManager's flag spelling for true. */
export const trueFlags = ["T", "t", "Y", "y", "1"] as const;
