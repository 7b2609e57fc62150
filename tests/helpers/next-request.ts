/**
 * A stand-in for the request scope that Next.js gives server actions: a cookie jar, request headers and
 * the queue of after() callbacks. Tests run actions as a given user and decide when after() work runs.
 */
type Cookie = { name: string; value: string };

class CookieJar {
  private store = new Map<string, string>();
  get(name: string): Cookie | undefined {
    const value = this.store.get(name);
    return value === undefined ? undefined : { name, value };
  }
  getAll(): Cookie[] {
    return [...this.store].map(([name, value]) => ({ name, value }));
  }
  has(name: string) {
    return this.store.has(name);
  }
  set(name: string | { name: string; value: string }, value?: string) {
    if (typeof name === "object") this.store.set(name.name, name.value);
    else this.store.set(name, value ?? "");
    return this;
  }
  delete(name: string) {
    this.store.delete(name);
    return this;
  }
  clear() {
    this.store.clear();
  }
}

export const request = {
  cookies: new CookieJar(),
  headers: new Headers(),
  afterQueue: [] as Array<() => unknown>,
};

export function resetRequest() {
  request.cookies.clear();
  request.headers = new Headers();
  request.afterQueue.length = 0;
}

/** Runs every after() callback queued so far (and any they queue), like Next does after the response. */
export async function flushAfter(): Promise<void> {
  while (request.afterQueue.length) {
    const tasks = request.afterQueue.splice(0);
    await Promise.all(tasks.map((t) => t()));
  }
}
