import type { FastifyServerOptions } from 'fastify';

/** Query parameters that carry secrets: mailed one-time links and the OIDC callback. */
const SECRET_PARAMS = new Set(['token', 'einladung', 'code', 'state', 'session_state']);

/** The path as logged: values of secret parameters replaced, so a log file opens no account. */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return SECRET_PARAMS.has(decodeURIComponentSafe(name)) ? `${name}=[entfernt]` : pair;
    });
  return `${url.slice(0, at)}?${params.join('&')}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

/** The app's logger settings: request lines without headers, bodies or secret link parameters. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: loggedUrl(request.url),
        ip: request.ip,
      }),
    },
  };
}
