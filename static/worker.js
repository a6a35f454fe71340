// The engine worker (a module worker): loads the same wasm module as the page and hands control to
// `worker_main`, which installs the message handler and then posts `Ready`. The page queues its
// requests until that `Ready` arrives, so nothing posted while the module loads is lost.
import init, { worker_main } from './pkg/app.js';

await init();
worker_main();
