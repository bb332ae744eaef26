import { expect } from "chai";
import { readBodyText } from "../../lib/chain/readBodyText.js";

function body(chunks: Uint8Array[], end = true) {
  const state = { pulls: 0, isCancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls += 1;
        const next = chunks.shift();
        if (next !== undefined) controller.enqueue(next);
        else if (end) controller.close();
        else return new Promise<void>(() => undefined);
        return undefined;
      },
      cancel() {
        state.isCancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(stream), state };
}
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("chain/readBodyText", () => {
  it("reads a whole body within the limit, across chunks and split characters", async () => {
    const euro = utf8("€"); // three bytes, split over two chunks
    const { response } = body([utf8("price: "), euro.subarray(0, 1), euro.subarray(1), utf8("5")]);
    expect(await readBodyText(response, 100)).to.deep.equal({ text: "price: €5", complete: true });
  });

  it("stops at maxBytes, cancels the rest and says the body was not complete", async () => {
    const { response, state } = body([utf8("0123456789"), utf8("abcdefghij"), utf8("never read")]);
    expect(await readBodyText(response, 15)).to.deep.equal({ text: "0123456789abcde", complete: false });
    expect(state.pulls).to.equal(2);
    expect(state.isCancelled).to.equal(true);
  });

  it("counts a body of exactly maxBytes as complete", async () => {
    const { response } = body([utf8("01234"), utf8("56789")]);
    expect(await readBodyText(response, 10)).to.deep.equal({ text: "0123456789", complete: true });
  });

  it("rejects with the signal's reason at once when a stalled read is aborted, and cancels the body", async () => {
    const { response, state } = body([utf8("{")], false);
    const controller = new AbortController();
    const reading = readBodyText(response, 100, controller.signal).then(
      () => "resolved",
      (error: unknown) => error,
    );
    await new Promise((resolve) => setImmediate(resolve));
    const reason = new Error("caller gave up");
    controller.abort(reason);
    expect(await reading).to.equal(reason);
    expect(state.isCancelled).to.equal(true);
  });

  it("rejects at once for an already aborted signal", async () => {
    const { response, state } = body([utf8("x")]);
    const reason = new Error("before");
    const error = await readBodyText(response, 100, AbortSignal.abort(reason)).catch((caught: unknown) => caught);
    expect(error).to.equal(reason);
    expect(state.pulls).to.equal(0);
  });

  it("reads an empty body", async () => {
    expect(await readBodyText(new Response(null, { status: 204 }), 10)).to.deep.equal({ text: "", complete: true });
  });
});
