import { importOptionalPeer } from "./optionalPeer.js";

/** A PEM key and certificate. */
export interface EmulatorCertificate {
  /** The private key (PEM). */
  readonly key: string;
  /** The self-signed certificate (PEM), also the CA to trust. */
  readonly cert: string;
}

// One certificate per process: emulators started later reuse it, so a start costs no key generation.
let cached: Promise<EmulatorCertificate> | undefined;

/**
 * The emulator's self-signed certificate for `127.0.0.1` (IP SAN) and `localhost` (DNS SAN),
 * generated once per process with a P-256 key (much faster than RSA).
 */
export function emulatorCertificate(): Promise<EmulatorCertificate> {
  cached ??= generateCertificate().catch((error: unknown) => {
    cached = undefined; // Let a later start try again.
    throw error;
  });
  return cached;
}

async function generateCertificate(): Promise<EmulatorCertificate> {
  const { generate } = await importOptionalPeer("selfsigned", () => import("selfsigned"));
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    // A day of slack either side of now tolerates clock skew; a year outlives any test process.
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 366 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
