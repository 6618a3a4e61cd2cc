import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  dir: string;
  /** PEM file paths. */
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  read(path: string): Buffer;
}

/**
 * A private CA, a server certificate for 127.0.0.1 and localhost, and a
 * client certificate, all made with the openssl command (Debian's, on every
 * machine of this project's kind): what an operator's PKI would hand out.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "atelier-tls-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=atelier test CA", "-keyout", at("ca.key"), "-out", at("ca.pem"));
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", at(`${name}.key`), "-out", at(`${name}.csr`));
    openssl("x509", "-req", "-in", at(`${name}.csr`), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", at(`${name}.ext`), "-out", at(`${name}.pem`));
  };
  issue("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  issue("client", "/CN=gpu-agent", "extendedKeyUsage=clientAuth\n");
  return {
    dir, ca: at("ca.pem"), serverCert: at("server.pem"), serverKey: at("server.key"), clientCert: at("client.pem"), clientKey: at("client.key"),
    read: (path) => readFileSync(path),
  };
}
