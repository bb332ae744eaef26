import { expect } from "chai";
import { bufferedResponse, readBufferedText } from "../../lib/chain/bufferedResponse.js";
import { readBodyText } from "../../lib/chain/readBodyText.js";

const JSON_BODY = '{"id":"x","compliantDeviceCount":3}';

/** A response with a url and redirected flag, as fetch gives them, read ahead into a buffered one. */
async function buffered(body = JSON_BODY): Promise<{ source: Response; response: Response }> {
  const source = new Response(body, { status: 200, statusText: "OK", headers: { "content-type": "application/json", "request-id": "r-1" } });
  Object.defineProperty(source, "url", { value: "https://graph.example/v1.0/x" });
  Object.defineProperty(source, "redirected", { value: true });
  const bytes = new Uint8Array(await source.clone().arrayBuffer());
  return { source, response: bufferedResponse(source, { bytes }) };
}

describe("chain/bufferedResponse", () => {
  it("keeps status, status text, the same headers, url, redirected and type, and is a Response", async () => {
    const { source, response } = await buffered();
    expect(response).to.be.instanceOf(Response);
    expect([response.status, response.statusText, response.ok]).to.deep.equal([200, "OK", true]);
    expect(response.headers).to.equal(source.headers);
    expect(response.headers.get("request-id")).to.equal("r-1");
    expect([response.url, response.redirected, response.type]).to.deep.equal([source.url, true, source.type]);
  });

  for (const [name, read, expected] of [
    ["text()", (r: Response) => r.text(), JSON_BODY],
    ["json()", (r: Response) => r.json(), JSON.parse(JSON_BODY)],
    ["arrayBuffer()", async (r: Response) => new TextDecoder().decode(await r.arrayBuffer()), JSON_BODY],
    ["bytes()", async (r: Response) => new TextDecoder().decode(await r.bytes()), JSON_BODY],
    ["blob()", async (r: Response) => (await r.blob()).text(), JSON_BODY],
    ["body", (r: Response) => new Response(r.body).text(), JSON_BODY],
  ] as const) {
    it(`reads the body through ${name}, once: the body is used up after, as with any Response`, async () => {
      const { response } = await buffered();
      expect(response.bodyUsed).to.equal(false);
      expect(await read(response)).to.deep.equal(expected);
      expect(response.bodyUsed).to.equal(true);
      let second: unknown;
      await response.text().catch((error: unknown) => (second = error));
      expect(second).to.be.instanceOf(TypeError);
      expect(() => response.clone()).to.throw(TypeError);
    });
  }

  it("clones: each copy reads the whole body, keeping url and headers", async () => {
    const { response } = await buffered();
    const copy = response.clone();
    expect(await copy.text()).to.equal(JSON_BODY);
    expect(copy.url).to.equal(response.url);
    expect(await response.json()).to.deep.equal(JSON.parse(JSON_BODY));
    const streamed = (await buffered()).response;
    void streamed.body;
    expect(await streamed.clone().text()).to.equal(JSON_BODY);
    expect(streamed.clone().url).to.equal(streamed.url);
  });

  it("fails every read with the error it holds, the stream too", async () => {
    const failure = new Error("attempt timed out");
    const source = new Response("{}", { status: 200 });
    for (const read of [(r: Response) => r.text(), (r: Response) => r.json(), (r: Response) => new Response(r.body).text(), (r: Response) => readBodyText(r, 10)]) {
      let error: unknown;
      await read(bufferedResponse(source, { error: failure })).catch((e: unknown) => (error = e));
      expect(error).to.equal(failure);
    }
  });

  it("serves readBodyText from memory, bounded by maxBytes, and only once", async () => {
    const { response } = await buffered();
    expect(await readBodyText(response, 1024)).to.deep.equal({ text: JSON_BODY, complete: true });
    expect(readBufferedText(response, 1024)).to.equal(undefined);
    const { response: other } = await buffered();
    expect(await readBodyText(other, 4)).to.deep.equal({ text: JSON_BODY.slice(0, 4), complete: false });
    expect(readBufferedText(new Response("x"), 10)).to.equal(undefined);
  });
});
