// The pages CustomErrorModule sends: IIS 10's detailed error page (local requests by default) and the
// short custom pages IIS ships in inetpub/custerr/en-US (remote requests), plus 500.19's config details.
import { readFileSync } from 'node:fs';
import type { ConfigurationFault } from '@poolhost/config';
import { describeStatus } from '../../pipeline/http-status.js';
import { REQUEST_STAGES } from '../../pipeline/request-stage.js';
import type { HttpContext } from '../../pipeline/http-context.js';

const html = (text: string): string => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const STYLE = `<style type="text/css">
<!--
body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}
code{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}
.config_source code{font-size:.8em;color:#000000;}
pre{margin:0;font-size:1.4em;word-wrap:break-word;}
ul,ol{margin:10px 0 10px 5px;}
ul.first,ol.first{margin-top:5px;}
fieldset{padding:0 15px 10px 15px;word-break:break-all;}
.summary-container fieldset{padding-bottom:5px;margin-top:4px;}
legend.no-expand-all{padding:2px 15px 4px 10px;margin:0 0 0 -12px;}
legend{color:#333333;;margin:4px 0 8px -12px;_margin-top:0px;
font-weight:bold;font-size:1em;}
a:link,a:visited{color:#007EFF;font-weight:bold;}
a:hover{text-decoration:none;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.4em;margin:10px 0 0 0;color:#CC0000;}
h4{font-size:1.2em;margin:10px 0 5px 0;
}#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS",Verdana,sans-serif;
 color:#FFF;background-color:#5C87B2;
}#content{margin:0 0 0 2%;position:relative;}
.summary-container,.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
.content-container p{margin:0 0 10px 0;
}#details-left{width:35%;float:left;margin-right:2%;
}#details-right{width:63%;float:left;overflow:hidden;
}#server_version{width:96%;_height:1px;min-height:1px;margin:0 0 5px 0;padding:11px 2% 8px 2%;color:#FFFFFF;
 background-color:#5A7FA5;border-bottom:1px solid #C1CFDD;border-top:1px solid #4A6C8E;font-weight:normal;
 font-size:1em;color:#FFF;text-align:right;
}#server_version p{margin:5px 0;}
table{margin:4px 0 4px 0;width:100%;border:none;}
td,th{vertical-align:top;padding:3px 0;text-align:left;font-weight:normal;border:none;}
th{width:30%;text-align:right;padding-right:2%;font-weight:bold;}
thead th{background-color:#ebebeb;width:25%;
}#details-right th{width:20%;}
table tr.alt td,table tr.alt th{}
.highlight-code{color:#CC0000;font-weight:bold;font-style:italic;}
.clear{clear:both;}
.preferred{padding:0 5px 2px 5px;font-weight:normal;background:#006633;color:#FFF;font-size:.8em;}
-->
</style>`;

/** The "custerr" texts IIS ships (inetpub/custerr/en-US/<status>.htm). */
const CUSTOM_TEXTS: Record<number, [string, string]> = {
  401: ['401 - Unauthorized: Access is denied due to invalid credentials.', 'You do not have permission to view this directory or page using the credentials that you supplied.'],
  403: ['403 - Forbidden: Access is denied.', 'You do not have permission to view this directory or page using the credentials that you supplied.'],
  404: ['404 - File or directory not found.', 'The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.'],
  405: ['405 - HTTP verb used to access this page is not allowed.', 'The page you are looking for cannot be displayed because an invalid method (HTTP verb) was used to attempt access.'],
  406: ['406 - Client browser does not accept the MIME type of the requested page.', 'The page you are looking for cannot be opened by your browser because it has a file name extension that your browser does not accept.'],
  412: ['412 - Precondition set by the client failed when evaluated on the Web server.', 'The request was not completed due to preconditions that are set in the request.'],
  500: ['500 - Internal server error.', 'There is a problem with the resource you are looking for, and it cannot be displayed.'],
  501: ['501 - Header values specify a method that is not implemented.', 'The page you are looking for cannot be displayed because a header value in the request does not match certain configuration settings on the Web server.'],
  502: ['502 - Web server received an invalid response while acting as a gateway or proxy server.', 'There is a problem with the page you are looking for, and it cannot be displayed. When the Web server (while acting as a gateway or proxy) contacted the upstream content server, it received an invalid response from the content server.'],
};

export function customErrorPage(status: number): string {
  const texts = CUSTOM_TEXTS[status] ?? CUSTOM_TEXTS[status < 500 ? 404 : 500]!;
  const [title, text] = status in CUSTOM_TEXTS ? texts : [`${status} - ${describeStatus(status, 0).reason}.`, texts[1]];
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>${title}</title>
<style type="text/css">
<!--
body{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}
fieldset{padding:0 15px 10px 15px;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.2em;margin:10px 0 0 0;color:#000000;}
#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS", Verdana, sans-serif;color:#FFF;
background-color:#555555;}
#content{margin:0 0 0 2%;position:relative;}
.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
-->
</style>
</head>
<body>
<div id="header"><h1>Server Error</h1></div>
<div id="content">
 <div class="content-container"><fieldset>
  <h2>${html(title)}</h2>
  <h3>${html(text)}</h3>
 </fieldset></div>
</div>
</body>
</html>
`;
}

/** Win32/HRESULT shown as "Error Code" on the detailed page. */
function errorCode(status: number, subStatus: number, error: unknown): string {
  if (isFault(error)) return error.errorCode;
  if (status === 404 && subStatus === 0) return '0x80070002';
  if (status === 401) return '0x80070005';
  if (status >= 500) return '0x80004005';
  return '0x00000000';
}

export function isFault(error: unknown): error is ConfigurationFault {
  return typeof error === 'object' && error !== null && 'errorCode' in error && (error as ConfigurationFault).subStatus === 19;
}

/** A few lines of the faulty file around the fault, IIS's "Config Source" box. */
function configSource(fault: ConfigurationFault): string {
  let lines: string[];
  try {
    lines = readFileSync(fault.file, 'utf8').split(/\r?\n/);
  } catch {
    return '';
  }
  const first = Math.max(1, fault.line - 2);
  const last = Math.min(lines.length, fault.line + 2);
  const out: string[] = [];
  for (let number = first; number <= last; number++) {
    const text = html(lines[number - 1] ?? '');
    out.push(`${String(number).padStart(5)}: ${number === fault.line ? `<span class="highlight-code">${text}</span>` : text}`);
  }
  return out.join('\n');
}

export function detailedErrorPage(context: HttpContext, status: number, subStatus: number, moreInformationLink: string): string {
  const description = describeStatus(status, subStatus);
  const req = context.req;
  const error = context.error;
  const fault = isFault(error) ? error : null;
  const code = `${status}.${subStatus}`;
  const handler = context.handler?.name ?? 'Not yet determined';
  const user = context.user === null ? 'Not yet determined' : context.user === '' ? 'Anonymous' : context.user;
  const logon = context.user === null ? 'Not yet determined' : context.authenticationType || 'Anonymous';
  const rows: Array<[string, string]> = [
    ['Module', context.module || 'IIS Web Core'],
    ['Notification', REQUEST_STAGES[context.stageIndex] ?? 'BeginRequest'],
    ['Handler', handler],
    ['Error Code', errorCode(status, subStatus, error)],
  ];
  if (fault) {
    rows.push(['Config Error', fault.message], ['Config File', fault.file]);
  }
  rows.push(
    ['Requested URL', `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`],
    ['Physical Path', fault ? context.application.setup.physicalPath : (context.physicalPath ?? '')],
    ['Logon Method', logon],
    ['Logon User', user],
  );
  const table = rows
    .map(([name, value], index) => `<tr${index % 2 === 0 ? ' class="alt"' : ''}><th>${name}</th><td>&nbsp;&nbsp;&nbsp;${html(value)}</td></tr>`)
    .join('\n');
  const source = fault ? configSource(fault) : '';
  const errorText = !fault && error instanceof Error ? `<fieldset><h4>Error:</h4><pre>${html(error.message)}</pre><br /></fieldset>` : '';
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>
<title>IIS 10.0 Detailed Error - ${code} - ${html(description.reason)}</title>
${STYLE}
</head>
<body>
<div id="content">
<div class="content-container">
  <h3>HTTP Error ${code} - ${html(description.reason)}</h3>
  <h4>${html(description.description)}</h4>
</div>
<div class="content-container">
 <fieldset><h4>Most likely causes:</h4>
  <ul> 	<li>${html(description.description)}</li> </ul>
 </fieldset>
</div>
<div class="content-container">
 <fieldset><h4>Things you can try:</h4>
  <ul> 	<li>${html(description.hint)}</li> </ul>
 </fieldset>
</div>
<div class="content-container">
 <fieldset><h4>Detailed Error Information:</h4>
  <div id="details-left">
   <table border="0" cellpadding="0" cellspacing="0">
${table}
   </table>
   <div class="clear"></div>
  </div>
 </fieldset>
</div>
${source ? `<div class="content-container">\n <fieldset><h4>Config Source:</h4>\n  <div class="config_source"><pre><code>${source}</code></pre></div>\n </fieldset>\n</div>` : ''}
${errorText ? `<div class="content-container">\n ${errorText}\n</div>` : ''}
<div class="content-container">
 <fieldset><h4>More Information:</h4>
  This error means that the request could not be served as configured. Status ${code}.
  <p><a href="${html(moreInformationLink)}">View more information &raquo;</a></p>
 </fieldset>
</div>
</div>
</body>
</html>
`;
}
