// Makes encrypted-webcrypto-3.0.json: node encrypt-webcrypto.mjs backup-3.0.json "test-backup-password ünï" > encrypted-webcrypto-3.0.json
// Encrypts a backup as All API Hub's WebDAV sync does (spec §6), with WebCrypto.
import { readFileSync } from "node:fs";
const [plainFile, password] = process.argv.slice(2);
const plain = readFileSync(plainFile);
const b64 = (u8) => Buffer.from(u8).toString("base64");
const salt = crypto.getRandomValues(new Uint8Array(16));
const iv = crypto.getRandomValues(new Uint8Array(12));
const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveKey"]);
const key = await crypto.subtle.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 250000 }, base,
  { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain));
console.log(JSON.stringify({ type: "all-api-hub-webdav-backup-encrypted", v: 1, kdf: "PBKDF2", cipher: "AES-GCM",
  iter: 250000, salt: b64(salt), iv: b64(iv), ct: b64(ct) }));
