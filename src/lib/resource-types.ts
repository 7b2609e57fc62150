/** Shared by the database schema, server actions, channels and the client (no server imports here). */
export const RESOURCE_TYPES = ["ARTICLE", "COMMENT", "GIST"] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
/** Resources that own a comment thread and a realtime channel; a COMMENT belongs to one of these. */
export const ROOT_RESOURCE_TYPES = ["ARTICLE", "GIST"] as const;
export type RootResourceType = (typeof ROOT_RESOURCE_TYPES)[number];
export const REACTION_TYPES = ["LOVE", "UNICORN", "WOW", "FIRE", "CRY", "HAHA"] as const;
export type ReactionType = (typeof REACTION_TYPES)[number];
