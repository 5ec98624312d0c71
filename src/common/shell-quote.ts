/** A POSIX-shell word that stands for `text` exactly: single-quoted, its own quotes escaped. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
