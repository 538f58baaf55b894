/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const call: (a: any) => [number, number, number];
export const callBytes: (a: any) => any;
export const callJson: (a: any) => [number, number];
export const compare: (a: any, b: any, c: number) => [number, number, number];
export const dryRun: (a: any, b: any) => [number, number, number];
export const invoke: (a: any, b: any) => [number, number, number];
export const parseYaml: (a: any) => [number, number, number];
export const planPolicy: (a: any) => [number, number, number];
export const resolve: (a: any) => [number, number, number];
export const satisfies: (a: any, b: any, c: number) => [number, number, number];
export const validate: (a: any, b: any) => [number, number, number];
export const version: () => [number, number];
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __wbindgen_exn_store: (a: number) => void;
export const __externref_table_alloc: () => number;
export const __wbindgen_externrefs: WebAssembly.Table;
export const __externref_table_dealloc: (a: number) => void;
export const __wbindgen_start: () => void;
