import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type { OidcConfig } from '../../src/config.js';
import { createTestApp, type TestApp } from './app.js';
import type { CookieJar } from './cookie-jar.js';
import { SignJWT } from 'jose';
import Provider, { type ProviderContext } from 'oidc-provider';

/** A person known to the test provider; `roles` end up in realm_access.roles, as in Keycloak. */
export interface ProviderAccount {
  email?: string;
  emailVerified?: boolean;
  name?: string;
  roles?: string[];
}

export interface TestProvider {
  /** e.g. http://127.0.0.1:41234 */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People who can sign in, by subject; tests add and change them as they go. */
  accounts: Map<string, ProviderAccount>;
  /**
   * A back-channel logout token as Keycloak posts it, signed with the provider's own key (the one its
   * jwks_uri publishes); `change` alters or removes (undefined) claims, `foreignKey` signs with another.
   */
  logoutToken(change?: Record<string, unknown>, options?: { foreignKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'zsk';
export const CLIENT_SECRET = 'zsk-test-secret';

/**
 * A real OpenID provider (oidc-provider) on a free loopback port, set up like a Keycloak realm with
 * a confidential client: code flow, PKCE required, client_secret_basic, RP-initiated logout, the
 * claims of the ID token as Keycloak sends them (email, email_verified, name, realm_access.roles).
 *
 * Its login is a page at /interaction/:uid that lists the accounts as links; following
 * /interaction/:uid?as=<subject> signs in as that account (what a browser's click does, and what the
 * HTTP tests request directly). Consent is granted without asking, as Keycloak does by default.
 */
export async function startOidcProvider(appUrl: string): Promise<TestProvider> {
  const accounts = new Map<string, ProviderAccount>();
  let provider: Provider | null = null;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    if (provider && url.pathname.startsWith('/interaction/')) {
      interaction(provider, accounts, url, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    if (provider) provider.callback()(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${appUrl}/anmelden/oidc/callback`],
        post_logout_redirect_uris: [`${appUrl}/anmelden?abgemeldet=1`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        // As a Keycloak client with "Backchannel logout session required": ID tokens carry `sid`.
        backchannel_logout_uri: `${appUrl}/anmelden/oidc/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['zsk-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    pkce: { required: () => true },
    // Keycloak puts the profile claims into the ID token even in the code flow.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'realm_access'],
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The provider asks before it signs out (as Keycloak does without id_token_hint).
        logoutSource(ctx: { body: string }, form: string) {
          ctx.body = `<!DOCTYPE html><html lang="de"><head><title>Abmelden</title></head><body><main><h1>Beim Test-Anmeldedienst abmelden?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, abmelden</button></main></body></html>`;
        },
      },
    },
    // oidc-provider refuses its own outgoing requests (back-channel logout) to loopback addresses as
    // an SSRF guard; the app under test listens on 127.0.0.1, as a ZSK beside Keycloak may on a LAN.
    fetch: (url: URL | string, options: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _guard, ...rest } = options;
      return globalThis.fetch(url, rest);
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx: ProviderContext) {
      const { client, session, provider: op } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return op.Grant.find(grantId);
      const grant = new op.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(account.email === undefined ? {} : { email: account.email }),
          email_verified: account.emailVerified ?? false,
          ...(account.name === undefined ? {} : { name: account.name }),
          ...(account.roles === undefined ? {} : { realm_access: { roles: account.roles } }),
        }),
      };
    },
  });

  const logoutToken = async (
    change: Record<string, unknown> = {},
    options: { foreignKey?: boolean } = {},
  ) => {
    const claims: Record<string, unknown> = {
      iss: issuer,
      aud: CLIENT_ID,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      ...change,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const key = options.foreignKey
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test', typ: 'logout+jwt' }).sign(key);
  };

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    accounts,
    logoutToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function interaction(
  provider: Provider,
  accounts: Map<string, ProviderAccount>,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const as = url.searchParams.get('as');
  if (details.prompt.name === 'login' && as) {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: as } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const links = [...accounts.keys()]
    .map(
      (sub) =>
        `<li><a href="/interaction/${details.uid}?as=${encodeURIComponent(sub)}">Anmelden als ${sub}</a></li>`,
    )
    .join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!DOCTYPE html><html lang="de"><head><title>Test-Anmeldedienst</title></head><body><main><h1>Test-Anmeldedienst</h1><ul>${links}</ul></main></body></html>`,
  );
}

/** The app's OIDC settings for the test provider, as an operator sets them for a Keycloak realm. */
export const oidcSettingsFor = (op: TestProvider): OidcConfig => ({
  issuer: op.issuer,
  clientId: op.clientId,
  clientSecret: op.clientSecret,
  rolesClaim: 'realm_access.roles',
  adminRole: 'zsk-admin',
});

/**
 * The app listening on a real port, on `host`, with a provider that knows its address: for a browser,
 * and for the provider's own requests to the app (back-channel logout).
 */
export async function startListeningAppWithProvider(
  host: string,
): Promise<{ op: TestProvider; t: TestApp; appUrl: string }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const appUrl = `http://${host}:${port}`;
  const op = await startOidcProvider(appUrl);
  const t = await createTestApp({ publicUrl: appUrl, loginRateLimit: 1000, oidc: oidcSettingsFor(op) });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { op, t, appUrl };
}

/**
 * Signs out at the provider as a person does: opens its logout page (`logoutUrl`, with or without an
 * id_token_hint) with the browser's provider cookies and confirms "yes, sign out". Returns the logout
 * page's status and the provider's answer to the confirmation (its redirect).
 */
export async function confirmProviderLogout(
  issuer: string,
  logoutUrl: URL,
  jar: CookieJar,
): Promise<{ pageStatus: number; done: Response }> {
  const page = await fetch(logoutUrl, { headers: { cookie: jar.header } });
  jar.store(page);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!;
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
  const done = await fetch(new URL(action, issuer), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }),
  });
  return { pageStatus: page.status, done };
}
