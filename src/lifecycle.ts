import type { Logger } from './logger.js';

/**
 * Shutdown steps in reverse order of start-up. A step added after shutdown began runs at once, so a
 * signal that arrives half-way through start-up still stops every process that start-up launched.
 */
export function createLifecycle(logger: Logger) {
  const steps: { name: string; run: () => Promise<void> }[] = [];
  let stopping: Promise<void> | undefined;

  const runStep = async (step: { name: string; run: () => Promise<void> }) => {
    try {
      await step.run();
    } catch (error) {
      logger.error({ err: error, step: step.name }, 'shutdown step failed');
    }
  };

  return {
    get stopping() {
      return stopping !== undefined;
    },
    add(name: string, run: () => Promise<void>) {
      if (stopping) void runStep({ name, run });
      else steps.push({ name, run });
    },
    shutdown(): Promise<void> {
      stopping ??= (async () => {
        for (const step of steps.splice(0).reverse()) await runStep(step);
      })();
      return stopping;
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
