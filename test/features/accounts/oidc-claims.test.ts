import { describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../../src/config.js';
import { claimAt, identityFromClaims } from '../../../src/features/accounts/oidc.js';

const settings: OidcConfig = {
  issuer: 'https://login.example/realms/verwaltung',
  clientId: 'zsk',
  clientSecret: 'geheim',
  rolesClaim: 'realm_access.roles',
  adminRole: 'zsk-admin',
};

describe('claims of the ID token', () => {
  it('walks dot paths into objects only', () => {
    const claims = { realm_access: { roles: ['a'] }, resource_access: { zsk: { roles: ['b'] } }, list: [1] };
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['a']);
    expect(claimAt(claims, 'resource_access.zsk.roles')).toEqual(['b']);
    expect(claimAt(claims, 'resource_access.other.roles')).toBeUndefined();
    expect(claimAt(claims, 'list.0')).toBeUndefined();
  });

  it('reads the admin role from the configured claim, Keycloak client roles included', () => {
    const claims = {
      sub: 's',
      resource_access: { zsk: { roles: ['zsk-admin'] } },
      realm_access: { roles: [] },
    };
    expect(identityFromClaims(claims, settings)).toMatchObject({ isAdmin: false, hasRolesClaim: true });
    expect(identityFromClaims(claims, { ...settings, rolesClaim: 'resource_access.zsk.roles' }).isAdmin).toBe(
      true,
    );
    // A role name inside a string is no role.
    expect(identityFromClaims({ sub: 's', realm_access: { roles: 'zsk-admin' } }, settings).isAdmin).toBe(
      false,
    );
    expect(identityFromClaims({ sub: 's' }, settings)).toMatchObject({
      isAdmin: false,
      hasRolesClaim: false,
    });
  });

  it('counts only a literal true as a verified address', () => {
    for (const value of [true, 'true', 1, undefined]) {
      expect(
        identityFromClaims({ sub: 's', email: 'a@b.example', email_verified: value }, settings).emailVerified,
      ).toBe(value === true);
    }
  });

  it('names the account from name, given and family name, user name, address or subject', () => {
    const name = (claims: Record<string, unknown>) =>
      identityFromClaims({ sub: 'sub-1', ...claims }, settings).name;
    expect(name({ name: ' Anna Beispiel ', given_name: 'X' })).toBe('Anna Beispiel');
    expect(name({ given_name: 'Anna', family_name: 'Beispiel' })).toBe('Anna Beispiel');
    expect(name({ preferred_username: 'abeispiel', email: 'a@b.example' })).toBe('abeispiel');
    expect(name({ email: 'a@b.example' })).toBe('a@b.example');
    expect(name({})).toBe('sub-1');
  });

  it('keeps names one line and takes no address with a control character', () => {
    const identity = (claims: Record<string, unknown>) =>
      identityFromClaims({ sub: 'sub-1', ...claims }, settings);
    expect(identity({ name: 'Anna\nBeispiel\u2028=HYPERLINK("x")' }).name).toBe(
      'Anna Beispiel =HYPERLINK("x")',
    );
    expect(identity({ given_name: 'Anna\t', family_name: '\r\nBeispiel' }).name).toBe('Anna Beispiel');
    expect(identity({ name: '\n\t', preferred_username: 'abeispiel' }).name).toBe('abeispiel');
    const smuggled = identity({ email: 'a@b.example\r\nBcc: c@d.example', email_verified: true });
    expect(smuggled.email).toBeNull();
    expect(smuggled.name).toBe('sub-1');
  });
});
