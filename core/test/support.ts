/**
 * The core's tests import the shared kit from here; the kit itself is tests/kit
 * (`@campus-card/tests/kit`), which the other workspaces import directly.
 */
export * from '../../tests/kit/index.ts';
