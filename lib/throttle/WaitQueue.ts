/** A node of a {@link WaitQueue}; keep it to remove the item in O(1). */
export interface WaitNode<T> {
  /** The queued item. */
  readonly value: T;
  /** @internal */
  prev: WaitNode<T> | undefined;
  /** @internal */
  next: WaitNode<T> | undefined;
  /** @internal Whether the node is still in its queue. */
  linked: boolean;
}

/**
 * A FIFO queue with O(1) push, shift and removal of any node (a waiter that aborts leaves at
 * once, without scanning 10,000 others).
 */
export class WaitQueue<T> {
  private head: WaitNode<T> | undefined;
  private tail: WaitNode<T> | undefined;
  private count = 0;

  /** Items in the queue. */
  get size(): number {
    return this.count;
  }

  /**
   * Appends an item and returns its node.
   * @param value - The item.
   */
  push(value: T): WaitNode<T> {
    const node: WaitNode<T> = { value, prev: this.tail, next: undefined, linked: true };
    if (this.tail === undefined) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.count += 1;
    return node;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.head?.value;
  }

  /** Removes and returns the first item. */
  shift(): T | undefined {
    const node = this.head;
    if (node === undefined) return undefined;
    this.remove(node);
    return node.value;
  }

  /**
   * Removes every item for which `test` holds, in queue order, and returns them (O(n); for rare
   * events such as a cooldown that some waiters will not wait for).
   * @param test - Decides per item.
   */
  removeWhere(test: (value: T) => boolean): T[] {
    const removed: T[] = [];
    for (let node = this.head; node !== undefined; ) {
      const next = node.next;
      if (test(node.value)) {
        this.remove(node);
        removed.push(node.value);
      }
      node = next;
    }
    return removed;
  }

  /**
   * Removes a node; does nothing when it already left the queue.
   * @param node - The node `push` returned.
   */
  remove(node: WaitNode<T>): void {
    if (!node.linked) return;
    node.linked = false;
    if (node.prev === undefined) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = undefined;
    node.next = undefined;
    this.count -= 1;
  }
}
