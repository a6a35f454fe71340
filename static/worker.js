// The engine worker (a module worker): loads the engine's wasm module (pkg/engine.js, not the
// page's pkg/app.js) and hands control to `worker_main`, which installs the message handler and
// then posts `Ready`. The page queues its requests until that `Ready` arrives, so nothing posted
// while the module loads is lost.
import init, { worker_main } from './pkg/engine.js';

await init();
worker_main();
