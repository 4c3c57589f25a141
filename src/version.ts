/** Kept equal to package.json's version (a unit test checks). */
export const VERSION = '1.0.0';
