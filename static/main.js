// Bootstraps the page: loads the wasm module and mounts the Leptos app on <body>.
// A file, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
import init, { start_app } from './pkg/app.js';

await init();
start_app();
