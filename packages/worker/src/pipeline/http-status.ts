// The worker's one registry of IIS status/substatus codes (reference §6.8, KB943891): the reason phrase,
// the heading of IIS's detailed error page, and the "most likely causes" / "things you can try" text.

export interface StatusDescription {
  reason: string;
  /** One line under the heading of the detailed page. */
  description: string;
  /** What to change; shown under "Things you can try". */
  hint: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  416: 'Range Not Satisfiable',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const d = (description: string, hint: string): Omit<StatusDescription, 'reason'> => ({ description, hint });

const SUBSTATUS: Record<string, Omit<StatusDescription, 'reason'>> = {
  '400.0': d('The request could not be understood by the server due to malformed syntax.', 'Check the URL: it may contain an invalid escape, a NUL character or a path above the site root.'),
  '401.1': d('You do not have permission to view this directory or page using the credentials that you supplied.', 'Check the user name and password, and the credentials file of basicAuthentication.'),
  '401.2': d('You are not authorized to view this page due to invalid authentication headers.', 'Send credentials (Basic), or enable anonymousAuthentication for this URL.'),
  '403.1': d('The page you are requesting cannot be served because of the execute access permissions of the handler mapping.', 'Add Script (or Execute) to handlers@accessPolicy.'),
  '403.2': d('The page you are requesting cannot be served because of the read access permissions of the handler mapping.', 'Add Read to handlers@accessPolicy.'),
  '403.4': d('The page you are trying to access is secured with Secure Sockets Layer (SSL).', 'Use https:// in the address, or remove Ssl from system.webServer/security/access@sslFlags.'),
  '403.7': d('The page you are attempting to access requires your browser to have a Secure Sockets Layer (SSL) client certificate that the Web server recognizes.', 'Present a client certificate, or remove SslRequireCert from security/access@sslFlags.'),
  '403.16': d('Your client certificate is either not trusted or is invalid.', 'Use a client certificate issued by a CA in the binding\'s sslctlfile= bundle.'),
  '403.17': d('Your client certificate has expired or is not yet valid.', 'Renew the client certificate.'),
  '403.14': d('The Web server is configured to not list the contents of this directory.', 'Add a default document (defaultDocument/files) or enable directoryBrowse for this folder.'),
  '403.503': d('The IP address of the client is denied by the ipSecurity configuration.', 'Add the client address to system.webServer/security/ipSecurity with allowed="true".'),
  '404.0': d('The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.', 'Check that the file exists under the physical path, and the spelling of the URL.'),
  '404.3': d('The page you are requesting cannot be served because of the extension configuration. If the page is a script, add a handler. If the file should be downloaded, add a MIME map.', 'Add a <mimeMap> for this extension in system.webServer/staticContent.'),
  '404.4': d('The resource you are looking for does not have a handler associated with it.', 'Add a handler mapping (system.webServer/handlers) whose path and verb match this request.'),
  '404.5': d('The request filtering module is configured to deny a URL that contains the requested sequence.', 'Remove the sequence from security/requestFiltering/denyUrlSequences.'),
  '404.6': d('The request filtering module is configured to deny the HTTP verb.', 'Allow the verb in security/requestFiltering/verbs.'),
  '404.7': d('The request filtering module is configured to deny the file extension.', 'Allow the extension in security/requestFiltering/fileExtensions.'),
  '404.8': d('The request filtering module is configured to deny a path in the URL that contains a hiddenSegment section.', 'Remove the segment from security/requestFiltering/hiddenSegments.'),
  '404.11': d('The request filtering module is configured to deny a request that contains a double escape sequence.', 'Set security/requestFiltering@allowDoubleEscaping="true" if the URL really needs it.'),
  '404.12': d('The request filtering module is configured to deny a request that contains high bit characters.', 'Set security/requestFiltering@allowHighBitCharacters="true".'),
  '404.14': d('The request filtering module is configured to deny a request where the URL is too long.', 'Raise security/requestFiltering/requestLimits@maxUrl.'),
  '404.15': d('The request filtering module is configured to deny a request where the query string is too long.', 'Raise security/requestFiltering/requestLimits@maxQueryString.'),
  '404.18': d('The request filtering module is configured to deny a query string sequence.', 'Remove the sequence from security/requestFiltering/denyQueryStringSequences.'),
  '405.0': d('The page you are looking for cannot be displayed because an invalid method (HTTP verb) is being used.', 'Use GET or HEAD for static files, or map a handler for this verb.'),
  '413.1': d('The request filtering module is configured to deny a request that exceeds the request content length.', 'Raise security/requestFiltering/requestLimits@maxAllowedContentLength.'),
  '431.0': d('The request filtering module is configured to deny a request header that is too long.', 'Raise the sizeLimit of the header in requestLimits/headerLimits.'),
  '500.0': d('The page cannot be displayed because an internal server error has occurred.', 'Look at the worker process log (stderr and the pino log) for the error.'),
  '500.19': d('The requested page cannot be accessed because the related configuration data for the page is invalid.', 'Fix the configuration file and line named below.'),
  '500.21': d('Handler has a bad module in its module list.', 'poolhost runs the iisnode, StaticFile and ProtocolSupport handlers; remove or replace the handler mapping.'),
  // iisnode's substatuses (src/iisnode/cnodeconstants.h), shown when devErrorsEnabled is false.
  '500.1000': d('iisnode could not process the request: the iisnode section or iisnode.yml of the application cannot be used.', 'Fix the iisnode section of web.config or the configOverrides file (iisnode.yml); the worker process log names the value.'),
  '500.1001': d('iisnode could not connect to the node process: it did not listen on process.env.PORT in time.', 'Make the application listen on process.env.PORT (or export a request listener); raise maxNamedPipeConnectionRetry × namedPipeConnectionRetryDelay if it starts slowly.'),
  '500.1002': d('The node process ended before iisnode could connect to it.', 'Set devErrorsEnabled="true" or read the log files in the application\'s iisnode folder for what the application wrote to stderr.'),
  '500.1013': d('The node process ended or closed the connection before it sent a response.', 'Read the log files in the application\'s iisnode folder for the exception that ended the process.'),
  '503.1000': d('Every node process of the application has maxConcurrentRequestsPerProcess requests in flight.', 'Raise maxConcurrentRequestsPerProcess or nodeProcessCountPerApplication in the iisnode section.'),
};

export function describeStatus(status: number, subStatus: number): StatusDescription {
  const reason = REASONS[status] ?? 'Error';
  const known = SUBSTATUS[`${status}.${subStatus}`] ?? SUBSTATUS[`${status}.0`] ?? d('An error occurred while processing the request.', '');
  return { reason, ...known };
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}
