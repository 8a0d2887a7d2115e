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

/** MemberType_ values counted under their own name; every other value counts as "other". */
export const countedMemberTypes = ["normal", "held", "unsub", "confirm", "private", "expired"] as const;

/** ListManager's flag spelling for true. */
export const trueFlags = ["T", "t", "Y", "y", "1"] as const;
