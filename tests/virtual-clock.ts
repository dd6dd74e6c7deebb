import type { Clock } from "../dns-record/clock";

/** A clock that moves only when the code under test sleeps; it records each sleep. */
export function virtualClock(): Clock & { sleeps: number[] } {
    let now = 0;
    const sleeps: number[] = [];
    return {
        now: () => now,
        sleep: (ms) => {
            sleeps.push(ms);
            now += ms;
            return new Promise<void>((resolve) => setImmediate(resolve));
        },
        sleeps,
    };
}
