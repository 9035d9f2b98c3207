declare module 'async-exit-hook' {
  const exitHook: (hook: (done: () => void) => void) => void;
  export default exitHook;
}
