// The display-name rule, without zod: wire.ts's UserName (what a relay accepts) and the join
// form (joinForm.ts, which the webview bundles) both use it, so the two cannot drift apart.
// (names.ts holds the rules on names that could pass for others.)

/** The longest display name, in UTF-16 code units (as String.length counts). */
export const USER_NAME_MAX = 32;
/** A display name: letters, digits, . _ - and starting with a letter or digit. */
export const USER_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;
