/** Audit actions in German; actions not listed here (e.g. added by later features) show their code. */
export const ACTION_LABEL: Record<string, string> = {
  'authority.create': 'Behörde angelegt',
  'count.update': 'Zahl geändert',
  'count.delete': 'Zahl zurückgezogen',
  'invitation.create': 'Einladung versendet',
  'invitation.withdraw': 'Einladung zurückgezogen',
  'membership.grant': 'Zugang erteilt',
  'membership.revoke': 'Zugang entzogen',
  'portal.create': 'Portal angelegt',
  'portal.service_add': 'Onlinedienst zum Portal hinzugefügt',
  'portal.service_remove': 'Onlinedienst aus dem Portal entfernt',
  'portal.service_request': 'Aufnahme eines Onlinedienstes ins Portal angefragt',
  'portal.service_request_accept': 'Anfrage des Portals angenommen',
  'portal.service_request_decline': 'Anfrage des Portals abgelehnt',
  'portal.service_request_withdraw': 'Anfrage des Portals zurückgezogen',
  'regions.import': 'Regionen importiert',
  'service.create': 'Onlinedienst angelegt',
  'session.login': 'Anmeldung',
  'session.logout': 'Abmeldung',
  'token.create': 'Zugangsschlüssel erstellt',
  'token.revoke': 'Zugangsschlüssel widerrufen',
  'user.create': 'Konto angelegt',
  'user.lock': 'Anmeldung nach Fehlversuchen verzögert',
};

export const ENTITY_LABEL: Record<string, string> = {
  access_token: 'Zugangsschlüssel',
  authority: 'Behörde',
  count: 'Zahl',
  invitation: 'Einladung',
  membership: 'Zugang',
  online_service: 'Onlinedienst',
  portal: 'Portal',
  regions: 'Regionen',
  user: 'Konto',
};

export const actionLabel = (action: string): string => ACTION_LABEL[action] ?? action;
export const entityLabel = (entity: string): string => ENTITY_LABEL[entity] ?? entity;

/** Where an entity can be looked at, if anywhere. */
export function entityHref(entity: string, id: string): string | null {
  if (entity === 'online_service' && /^\d+$/.test(id)) return `/dienste/${id}`;
  if (entity === 'portal' && /^\d+$/.test(id)) return `/portale/${id}`;
  if (entity === 'count') {
    const serviceId = id.split('/')[0] ?? '';
    return /^\d+$/.test(serviceId) ? `/dienste/${serviceId}` : null;
  }
  return null;
}
