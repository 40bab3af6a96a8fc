// Types of scripts/source-hash.js (plain JavaScript: it runs before anything is compiled).
export declare const STAMP: string;
export declare function sourceHash(root: string): string;
