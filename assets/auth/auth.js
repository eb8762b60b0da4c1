// Passkey ceremonies for Warden's /auth pages (served as a separate file: the pages allow no inline script).
// The button carries where to fetch options, where to post the result, and the CSRF token.
/* global document, navigator, fetch, window, atob, btoa */

const toBuffer = (b64u) => {
  const b64 = b64u.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '=')), (c) => c.charCodeAt(0)).buffer;
};
const toB64u = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

async function post(url, csrf, body) {
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error?.message ?? `failed (${res.status})`);
  return json;
}

async function register(button) {
  const { ceremonyId, options } = await post(button.dataset.optionsUrl, button.dataset.csrf, {});
  options.challenge = toBuffer(options.challenge);
  options.user.id = toBuffer(options.user.id);
  options.excludeCredentials = (options.excludeCredentials ?? []).map((c) => ({ ...c, id: toBuffer(c.id) }));
  const credential = await navigator.credentials.create({ publicKey: options });
  const response = {
    id: credential.id,
    rawId: toB64u(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toB64u(credential.response.clientDataJSON),
      attestationObject: toB64u(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
  };
  await post(button.dataset.verifyUrl, button.dataset.csrf, { ceremonyId, response, label: 'passkey' });
}

async function authenticate(button) {
  const { ceremonyId, options } = await post(button.dataset.optionsUrl, button.dataset.csrf, {});
  options.challenge = toBuffer(options.challenge);
  options.allowCredentials = (options.allowCredentials ?? []).map((c) => ({ ...c, id: toBuffer(c.id) }));
  const credential = await navigator.credentials.get({ publicKey: options });
  const response = {
    id: credential.id,
    rawId: toB64u(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toB64u(credential.response.clientDataJSON),
      authenticatorData: toB64u(credential.response.authenticatorData),
      signature: toB64u(credential.response.signature),
      ...(credential.response.userHandle ? { userHandle: toB64u(credential.response.userHandle) } : {}),
    },
  };
  await post(button.dataset.verifyUrl, button.dataset.csrf, { ceremonyId, response });
}

const button = document.getElementById('passkey');
if (button) {
  button.addEventListener('click', async () => {
    const status = document.getElementById('passkey-status');
    status.textContent = 'Waiting for your passkey…';
    button.disabled = true;
    try {
      await (button.dataset.mode === 'register' ? register(button) : authenticate(button));
      status.textContent = 'Done.';
      window.location.assign(button.dataset.doneUrl);
    } catch (error) {
      status.textContent = `Not verified: ${error.message}`;
      button.disabled = false;
    }
  });
}
