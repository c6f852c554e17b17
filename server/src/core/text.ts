/**
 * The characters of a line that every reader in the core agrees on, as UTF-16 code units (`charCodeAt`): digits,
 * ASCII letters, and the blanks between a line's parts.
 */

export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
export const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
/** A space or a tab: what the parser reads between a line's parts (the docs show one space; PROTOCOL §1.1). */
export const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
