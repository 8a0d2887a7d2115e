// Preloaded into every API process the benchmarks and tests start (api-process.ts): when the
// process that started it dies, even by SIGKILL or a test runner's timeout, its end of the stdin
// pipe closes, and the API shuts down as on SIGTERM instead of running on, unowned.
process.stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
process.stdin.resume();
