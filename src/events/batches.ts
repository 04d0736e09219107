/**
 * Groups an async iterator into batches: waits for the first item, then takes whatever else is
 * already buffered (up to max) without waiting, so a busy stream yields big batches and a quiet
 * one yields single items with no added latency.
 */
export async function* batched<T>(source: AsyncIterator<T>, max: number): AsyncGenerator<T[]> {
  let pending: Promise<IteratorResult<T>> | undefined;
  const immediate = Symbol('immediate');
  for (;;) {
    const first = await (pending ?? source.next());
    pending = undefined;
    if (first.done) return;
    const batch = [first.value];
    while (batch.length < max) {
      pending = source.next();
      const r = await Promise.race([
        pending,
        new Promise<typeof immediate>((res) => setImmediate(res, immediate)),
      ]);
      if (r === immediate) break;
      pending = undefined;
      if (r.done) {
        yield batch;
        return;
      }
      batch.push(r.value);
    }
    yield batch;
  }
}
