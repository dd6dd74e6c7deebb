/** Time as the DNS code reads it and waits on it; tests pass a virtual one. */
export interface Clock {
    /** Milliseconds since an arbitrary origin. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** A duration as the messages show it: whole seconds, else to a tenth ("1s", "0.4s"). */
export function seconds(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
