// What the core (and the webview's size check) has to tell the user, as a code with its parameters.
// It lives in src/shared because the webview renders these codes too (media/state.ts). The words are
// chosen at the edge (src/vscode/say.ts looks each English template up with vscode.l10n.t); the
// English templates here give the `message` the core keeps for logs and for plain-Node tests, and
// they are the keys of the editor's translation bundle (`npm run l10n` exports them from this table).
//
// Parameters are plain values (file names, numbers already formatted, what the provider said: never
// translated) or other Words (a part of the sentence that is translated too).

export const ENGLISH = {
  // Lists, built from two parts at a time so a language can choose its own separators.
  'list.semicolon': '{0}; {1}',
  'list.and': '{0} and {1}',
  'list.or': '{0} or {1}',
  'list.space': '{0} {1}',

  // Sizes (sizes.ts)
  'size.notRatio': '{0}: not one of the 15 ratios: {1}',
  'size.explicit': '{0}: {1}',
  'size.explicitTry': '{0}: {1} (try {2})',
  'size.edgeRange': 'each edge must be between {0} and {1} pixels (got {2})',
  'size.edgeStep': 'both edges must be multiples of {0}',
  'size.minPixels': 'width × height must be at least {0} pixels (got {1})',
  'size.maxPixels': 'width × height must be at most {0} pixels (got {1})',
  'size.aspect': 'the long edge may be at most {0} times the short edge (got {1}:1)',
  'size.notSize': '{0}: not a size; use auto, one of the 15 ratios ({1}) or WxH such as 1024x1024',
  'size.empty': '(empty)',

  // The request (request.ts)
  'request.promptEmpty': 'The prompt is empty: write what the image should show.',
  'request.promptTooLong': 'The prompt has {0} characters (Unicode code points); the limit is {1}. Shorten it by {2}.',
  'request.n': 'The number of images (n) must be a whole number from {0} to {1}; got {2}. Pick a number in that range.',
  'request.resolution': 'The resolution must be one of {0}; got {1}. Choose one of those.',
  'request.quality': 'The quality must be one of {0}; got {1}. Choose one of those.',
  'request.size': 'Size {0}.',
  'request.model': 'The model must be {0}; got {1}. Set the model to {0}.',
  'request.refWhere': 'Reference image {0} ({1})',
  'request.refNotHttps': '{0} is not an https:// URL. Use an https:// link to the image, or a file in the workspace.',
  'request.refPlainHttp': '{0} uses http://; only https:// URLs are accepted. Change it to https://.',
  'request.refUrlType': '{0} is a {1} image; accepted types are {2}. Convert it to PNG, JPEG or WebP.',
  'request.refFileType': '{0} is a {1} file; accepted types are {2}. Convert it to PNG, JPEG or WebP.',
  'request.refNoExtension': '{0} has no file extension; accepted types are {1}. Convert it to PNG, JPEG or WebP.',
  'request.refTooBig': '{0} is {1} MB; each image may be at most {2} MB. Use a smaller or more compressed image.',
  'request.refsNotList': 'The reference images must be a list.',
  'request.refsTooMany': '{0} reference images were given; at most {1} are accepted. Remove {2}.',
  'request.refUnknown': 'Reference image {0} is neither a URL nor a file path. Remove it and add it again.',
  'request.callbackTooLong': 'The callback URL is {0} characters long; the limit is {1}. Use a shorter URL, or clear the setting.',
  'request.callbackInvalid': 'The callback URL {0} is not a valid URL. Enter an https:// URL, or clear the setting.',
  'request.callbackNotHttps': 'The callback URL must start with https://; got {0}//. Use an https:// URL, or clear the setting.',
  'request.callbackLoopback': "The callback URL's host {0} is a loopback address, which the provider cannot reach or refuses. Use a public https:// address, or clear the setting.",
  'request.callbackPrivate': "The callback URL's host {0} is a private or link-local address, which the provider cannot reach or refuses. Use a public https:// address, or clear the setting.",

  // The provider's answers (api/errors.ts). {0} is the HTTP status with the provider's code, {1} what it said (error.said) or nothing.
  'error.said': ': {0}',
  'error.suggestion': '{0} Suggestion: {1}',
  'error.http400': 'EvoLink refused the request ({0}){1}.',
  'error.http401': 'EvoLink did not accept the API key ({0}){1}. Run "Pictor: Set API Key" to enter a valid key.',
  'error.http402': 'Your EvoLink account is out of credits ({0}){1}. Top up in the EvoLink dashboard.',
  'error.http403': 'This API key may not use this model or task ({0}){1}.',
  'error.http404': 'EvoLink does not know this task; it may have expired ({0}){1}.',
  'error.http408': 'EvoLink timed out waiting for the request ({0}){1}.',
  'error.http429': 'EvoLink is rate limiting requests ({0}){1}.',
  'error.http5xx': 'EvoLink had a server problem ({0}){1}.',
  'error.httpOther': 'EvoLink answered {0}{1}.',
  'error.noKey': 'No EvoLink API key is set. Run "Pictor: Set API Key" to enter one.',
  'error.badKey': '{0} Nothing was sent. Run "Pictor: Set API Key" and paste the key again.',
  'error.keyEmpty': 'The API key is empty.',
  'error.keyShort': 'The API key is too short to be an EvoLink key.',
  'error.keySpace': 'The API key has a space or line break inside it (at character {0}).',
  'error.keyChar': 'The API key contains a character HTTP cannot carry ({0}, at character {1}); a key has only plain ASCII letters, digits and symbols.',
  'error.lookup': 'Could not look up {0} ({1}). Check the network connection and the URL setting.',
  'error.connectTimeout': 'Connecting to {0} timed out. Check the network connection, the proxy and the URL setting.',
  'error.connect': 'Could not connect to {0} ({1}). Check the network connection, the proxy and the URL setting.',
  'error.tls': 'The secure connection to {0} failed ({1}). A proxy or firewall may be intercepting HTTPS: add its certificate with NODE_EXTRA_CA_CERTS.',
  'error.noAnswer': '{0} did not answer in time ({1}).',
  'error.broke': 'The connection to {0} broke ({1}).',
  'error.brokeSaid': 'The connection to {0} failed: {1}',
  'error.maybeCreated': '{0} The task may have been created anyway; Pictor will not send it again to avoid double billing. Check your EvoLink dashboard before retrying.',

  // Downloading a result (api/download.ts)
  'download.checkFolder': '{0} Check that the folder can be written to (and that the disk is not full).',
  'download.cannotCreateFolder': 'Cannot create the folder {0} ({1}).',
  'download.cannotWrite': 'Could not write the image into {0} ({1}).',
  'download.cannotSave': 'Could not save the image into {0} ({1}).',
  'download.emptyBody': 'The result URL answered with an empty body instead of an image.',
  'download.html': 'The result URL answered with an HTML page instead of an image.',
  'download.notImage': 'The result URL answered with something that is not a PNG, JPEG or WebP image ({0}, {1} bytes).',
  'download.noContentType': 'no content type',
  'download.expired': 'The result URL answered {0}; it has probably expired (results are kept for 24 hours).',
  'download.status': 'The result URL answered {0}.',
  'download.statusNotImage': 'The result URL answered {0} instead of an image.',
  'download.badUrl': 'The result URL is not a valid URL.',
  'download.failed': 'Could not download the image: {0}',
  'download.tooManyRedirects': 'The result URL redirected more than {0} times; Pictor stopped following it.',
  'download.badRedirect': 'The result URL redirected to an address that is not a valid URL.',
  'download.deadline': 'The download did not finish within {0}.',
  'download.tooSlow': 'The download was too slow: {0} bytes in {1} (less than {2} bytes a second).',
  'download.nothingSaved': '{0} Nothing was saved.',
  'download.tooBig': 'The result URL sent more than {0} bytes; that is not an image from the provider.',
  'download.brokeOff': 'The download broke off after {0} bytes.',
  'download.brokeOffCode': 'The download broke off after {0} bytes ({1}).',
  'download.cutShort': 'The download was cut short: {0} of {1} bytes arrived.',
  'download.incomplete': 'The {0} image arrived incomplete ({1} bytes).',
  'download.notHttp': 'The result URL is not an http(s) address ({0}); Pictor does not follow it.',
  'download.redirectNotHttp': 'The result URL redirected to a URL that is not an http(s) address ({0}); Pictor does not follow it.',
  'download.pointsAt': 'The result URL points at {0}, {1}',
  'download.redirectedTo': 'The result URL redirected to {0}, which is {1}',
  'download.resolvesTo': '{0} resolves to {1} ({2})',
  'download.notFetched': '{0}; Pictor only downloads results from the internet or from the configured provider. Nothing was fetched from it.',
  'download.badFileName': '"{0}" cannot be used as a file name.',
  'download.noFreeName': 'No free file name for {0} in {1}.',
  'address.loopback': 'a loopback address (this computer)',
  'address.private': 'a private network address',
  'address.linkLocal': 'a link-local address',
  'address.unspecified': 'an unspecified address',
  'address.multicast': 'a multicast address',
  'address.reserved': 'a reserved address',
  'job.downloadLost': '{0} of {1} image could not be downloaded: {2}',
  'job.downloadsLost': '{0} of {1} images could not be downloaded: {2}',
  'job.someSaved': '{0} {1} saved.',
  'job.sentence': '{0}.',
  'job.retryDownloads': '{0} Retry downloads the missing ones again without a new task (possible for 24 hours after it finished).',
  'job.linksExpired': '{0} Their links have expired: Retry sends the task again.',
  'job.unknownError': 'unknown error',

  // The client (api/client.ts, api/http.ts)
  'error.createUnreadable': 'EvoLink accepted the request but its answer could not be read ({0}). The task may have been created; Pictor will not send it again to avoid double billing. Check your EvoLink dashboard before retrying.',
  'error.unreadable': 'EvoLink sent an answer that could not be read ({0}).',
  'error.noFileUrl': 'The files service answered without a file URL.',
  'error.buildHeader': 'Pictor could not build the request to {0} (the {1} header has a character HTTP does not allow); nothing was sent.',
  'error.buildCode': 'Pictor could not build the request to {0} ({1}); nothing was sent.',
  'error.pasteKeyAgain': '{0} Run "Pictor: Set API Key" and paste the key again.',
  'error.gaveUp': '{0} Gave up after {1} attempts.',
  'error.gaveUpWait': '{0} Gave up after {1} attempts. Wait a minute or two, then retry.',
  'error.gaveUpServer': '{0} Gave up after {1} attempts. The provider seems to be having trouble; retry in a few minutes.',
  'error.mayExist': '{0} The task may have been created anyway; Pictor will not send it again to avoid double billing.',
  'error.badUrl': '{0} is not a valid URL.',
  'error.plainHttp': '{0} must use https:// (got {1}). Plain http:// is only allowed for 127.0.0.1 or localhost.',
  'error.notHttps': '{0} must be an https:// URL (got {1}).',
  'error.cancelled': 'Cancelled.',
  'upload.cannotRead': 'Cannot read the reference image {0} ({1}).',
  'upload.notFile': '{0} is not a file.',
  'upload.tooBig': "{0} is larger than {1} MB, the provider's limit for reference images.",
  'upload.notImage': '{0} is not a PNG, JPEG or WebP image; {1} accepts only those.',
  'upload.changed': '{0} became shorter while it was being uploaded, so it was not sent whole. Try again once the file is saved.',
  'error.taskIdRequired': 'A task id is required.',
  'error.notJson': 'HTTP {0} with a body that is not JSON',
  'error.noTask': 'no task id or status in it',
  'error.tooLarge': 'The answer was larger than {0} bytes.',
  'url.apiSetting': 'The EvoLink API URL setting',
  'url.filesSetting': 'The EvoLink files URL setting',
  'proxy.invalid': 'The proxy "{0}" (from {1}) is not a valid http:// or https:// URL. Correct or clear {1}. Nothing was sent.',
  'proxy.setting': 'the proxy setting',
  'proxy.auth': 'The proxy {0} (from {1}) asked for credentials (HTTP 407). Set http.proxyAuthorization, or put user:password into {1}. Nothing was sent to {2}.',
  'proxy.refused': 'The proxy {0} (from {1}) would not connect to {2} (HTTP {3}). Check {1}, or add {2} to http.noProxy or NO_PROXY if it must be reached directly. Nothing was sent to {2}.',
  'proxy.unreachable': 'Could not reach the proxy {0} (from {1}) ({2}). Check {1}, or clear it if this network has no proxy. Nothing was sent to {3}.',
  'proxy.tls': 'The secure connection to {0} through the proxy {1} (from {2}) failed ({3}). If the proxy inspects HTTPS, add its certificate with NODE_EXTRA_CA_CERTS, or turn off http.proxyStrictSSL. Nothing was sent to {0}.',
  'job.storeFailed': 'Pictor could not record the task before sending it, so it was not sent ({0}). Retry to send it.',
  'job.uploadFailed': 'The reference image {0} could not be uploaded, so no task was created or billed: {1}',
  'job.cannotUpload': 'Pictor cannot upload the reference images of this task, so nothing was sent. Generate it again.',
  'job.rateLimited': 'EvoLink kept refusing new tasks because of its rate limit for {0}; nothing was created or billed. Wait a few minutes, then retry.',
  'job.rateLimitedStatus': 'EvoLink kept refusing new tasks because of its rate limit for {0} (HTTP {1}); nothing was created or billed. Wait a few minutes, then retry.',

  // A failed task (api/errors.ts TASK_FAILURES): {0} the reason, {1} the advice; with what the provider said.
  'task.failure': '{0} {1}',
  'task.failureSaid': '{0} The provider said: "{1}". {2}',
  'task.content_policy_violation': 'The provider refused the prompt or images under its content policy.',
  'task.invalid_parameters': 'The provider rejected the parameters of the request.',
  'task.image_processing_error': 'The provider could not process a reference image.',
  'task.image_dimension_mismatch': "The reference images' dimensions do not fit the request.",
  'task.generation_failed_no_content': 'The model finished without producing an image for this prompt.',
  'task.service_error': 'The provider had an internal error.',
  'task.generation_timeout': "The generation took too long on the provider's side.",
  'task.resource_exhausted': 'The provider is out of capacity right now.',
  'task.quota_exceeded': 'The provider refused the task because of a rate limit or quota.',
  'task.service_unavailable': 'The provider is unavailable right now.',
  'task.unknown_error': 'The provider reported an unknown error.',
  'task.request_cancelled': "The task was cancelled on the provider's side.",
  'task.resource_not_found': 'The provider does not know this task: its id is invalid or has expired.',
  'task.unknownCode': 'The provider reported that the task failed ({0}).',
  'advice.changeInput': 'Change the prompt or the reference images before trying again.',
  'advice.later': 'Retrying later may work.',
  'advice.checkOptions': 'Check the size, resolution, quality and n before trying again.',
  'advice.reword': 'Try another prompt: reword it or describe the image differently.',
  'advice.wait': 'Wait a few minutes, then retry.',
  'advice.generateAgain': 'Generate again if you still want the image.',
  'advice.newTask': 'Generate again to send a new task (billed again).',

  // Where images go (destination.ts, pictor.destination)
  'dest.folderNotAbsolute': 'The workspace folder "{0}" is not an absolute path.',
  'dest.documentNotAbsolute': 'The document path "{0}" is not an absolute path.',
  'dest.documentOutside': 'The document "{0}" is not inside the workspace folder "{1}".',
  'dest.badGlob': 'The glob "{0}" in the destination setting is not valid.',
  'dest.notString': 'The destination for "{0}" must be a string.',
  'dest.unknownVariable': 'The destination pattern "{0}" uses {1}, which is not a known variable (write \\$ for a literal $).',
  'dest.badTransform': 'The destination pattern "{0}" transforms {1} with {2}, which is not a valid regular expression ({3}).',
  'dest.outside': 'The destination pattern "{0}" leads outside the workspace folder "{1}".',
  'job.finalizeFailed': 'The images were downloaded but could not be put in place: {0}. Retry tries again.',

  // The queue's refusals (jobs/queue.ts)
  'queue.noTask': 'Pictor has no task with id {0}.',
  'queue.notRetryable': 'Only failed, timed out or unknown tasks can be retried (this one is {0}).',
  'queue.stillRunning': 'Cancel this task before removing it: it is still running.',
  'queue.disposed': 'The Pictor task queue has been disposed.',

  // The headless run (headless.ts, workspaceSettings.ts).
  'place.outside': "{0} leads outside the workspace folder (to {1}) through a symbolic link, so nothing was written there; the image is kept in Pictor's staging folder.",
  'place.noFreeName': "Could not find a free file name for {0}.",
  'setting.fileUnreadable': "{0} is not valid JSON with comments ({1} at offset {2}); the default settings are used.",
  // The money gate (money.ts), right before each create.
  'gate.untrusted': "Not sent: this workspace is in Restricted Mode, where Pictor sends no requests. Trust the workspace, then retry.",
  'gate.noKey': "Not sent: Pictor has no EvoLink API key. Run \"Pictor: Set API Key\" (or set EVOLINK_API_KEY), then retry.",
  'gate.images': "Not sent: this task would bill {0} images, more than pictor.confirmAboveImages ({1}) allows without asking, and nobody confirmed it. Generate it again to be asked, or raise the setting.",
  'gate.cost': "Not sent: this task would cost about {0}× one medium 1024×1024 image, more than pictor.confirmAboveCost ({1}) allows without asking, and nobody confirmed it. Generate it again to be asked, or raise the setting.",
  'gate.budget': "Not sent: this session has used {0} credits, at or over your limit of {1} (pictor.maxCreditsPerSession). Raise the limit, or Retry and choose Send Anyway.",
  'gate.failed': "Not sent: Pictor could not check the request before sending it ({0}). Retry to send it.",

  // Page options (pageOptions.ts): a problem is where + what + what is allowed + what it stops.
  'option.wherePage': 'Page options (front matter)',
  'option.wherePlaceholder': 'Placeholder options',
  'option.stopPage': 'Nothing is sent for the placeholders of this page that use it until it is fixed.',
  'option.stopPlaceholder': 'Nothing is sent for this placeholder until it is fixed.',
  'option.yaml': '{0}: the front matter is not valid YAML ({1}). {2}',
  'option.notMapping': '{0}: pictor: must hold options, one per line, such as size: "16:9" (allowed: {1}); got {2}. {3}',
  'option.alias': '{0}: pictor: cannot use YAML anchors (&) or aliases (*). Write each value out, such as size: "16:9". {1}',
  'option.value': '{0}: {1} cannot be "{2}"{3}. Allowed: {4}. {5}',
  'option.valueBare': '{0}: {1} cannot be {2}{3}. Allowed: {4}. {5}',
  'option.detail': ' ({0})',
  'option.unknown': '{0}: Pictor does not know the option "{1}", so it is ignored. Known options: {2}.',
  'option.duplicate': '{0}: {1} is given twice. Keep one. {2}',
  'option.syntax': '{0}: "{1}" is not an option. Write key=value pairs, e.g. <!-- pictor: size=16:9 quality=high style="ink sketch" -->. {2}',
  'option.unclosed': '{0}: the comment has no closing --> on its line. Write it on one line: <!-- pictor: size=16:9 quality=high -->. {1}',
  'option.toml': '{0}: Pictor reads page options from YAML front matter (---) only; this [pictor] table is ignored.',
  'option.allowedSize': 'auto, a ratio ({0}) or WxH such as 1536x1024 (edges multiples of {1}, {2}–{3})',
  'option.allowedResolution': '1K, 2K or 4K',
  'option.allowedQuality': 'low, medium or high',
  'option.allowedN': 'a whole number from {0} to {1}',
  'option.allowedStyle': 'text, e.g. "flat vector illustration, pastel palette"',
  'option.allowedBackground': 'opaque or transparent',
  'option.allowedFormat': 'png, webp or jpeg',
  'option.allowedMaxWidth': 'a whole number of pixels from 0 (no limit) to {0}',
  'option.allowedReferences': 'up to {0} image paths relative to the page, or https URLs',
  'option.allowedStyleFrom': 'first',

  // The planner (plan.ts): why a placeholder is left out, besides its options and what the provider would refuse.
  'plan.running': 'This placeholder is already being generated.',
  'plan.refMissing': 'The page\'s reference image {0} does not exist (paths are relative to the page, as in a Markdown link).',
  'plan.refOutside': 'The page\'s reference image {0} is outside the workspace folder ({1}): it is not sent.',
  'plan.refNoPage': 'The reference image {0} is relative to a page this request has none of.',
  'plan.refsTooMany': '{0} reference images with the page\'s and the first image; at most {1} are accepted. Remove {2}.',
  'plan.firstNotSent': 'styleFrom: first takes the first image of the page ("{0}") as the reference, and it is not sent: {1}',
  'plan.firstNotHere': 'styleFrom: first takes the first image of the page ("{0}") as the reference: generate it first.',
  'plan.firstFailed': 'Not sent: styleFrom: first takes the first image of the page ("{0}") as the reference, and it failed: {1}',
  'plan.transparentJpeg': 'A transparent background cannot be saved as JPEG, which has no transparency: choose format png or webp, or background opaque.',

  // Regenerating from a recipe (recipe.ts)
  'recipe.outsideRef': 'The recipe names a reference image outside the workspace folder ({0}); it is not sent.',
  'reference.outside': 'The reference image {0} is not inside the workspace folder {1}, so it is not sent.',
  'generate.outOutside': 'The folder {0} is not inside the workspace folder {1}: images are saved only inside it.',

  // Variants (variants.ts)
  'variants.notWhole': 'Type a whole number from {0} to {1}.',
  'variants.range': 'Choose from {0} to {1} variants (got {2}).',

  // The queue (jobs/)
  'job.unknownStatus': 'The provider reported the status "{0}" for this task, which Pictor does not know, so it stopped waiting. Generate again if you still want the image (a new task is billed again).',
  'job.idKept': '{0} The task id is kept: Retry continues waiting for it.',
  'job.expired': 'The provider no longer knows this task: it expired or its id is unknown. Retry sends it again as a new task, which is billed again.',
  'job.stoppedWatching': 'Stopped watching this cancelled task: its results would have expired.',
  'job.noResultTimeout': 'No result after {0}. The task id is kept: Retry keeps waiting for it.',
  'job.downloadTimeout': 'The images were not downloaded within {0}. The result links are kept: Retry downloads them again without a new task.',
  'job.noResults': 'The task completed without any image. Retry sends it again.',
  'job.unknownAfterRestart': 'Pictor was stopped while this task was being created; it was not resent to avoid paying twice. Retry to send it again.',
  'job.stopped': 'Pictor stopped before this task finished; it resumes on the next start.',
  'job.mayBeBilled': 'The first attempt may already have been billed: the connection broke after the request was sent, so the provider may have created the task. Check your EvoLink dashboard; Retry sends it again and is billed again.',
  'job.sizeNote': 'The provider delivered {0} instead of the {1} asked for ({2}).',
  'job.sizeAt': '{0} at {1}',
  'job.finalizeFailedSaid': 'The images were downloaded but could not be put in place. {0} Retry tries again.',
  'job.seconds': '{0} seconds',
  'job.second': '{0} second',
  'job.minutes': '{0} minutes',
  'job.minute': '{0} minute',

  // Settings that are not what their schema allows (settings.ts): {0} the setting, {1} the value read.
  'setting.useDefault': '{0} is {1}, {2}; using the default, {3}.',
  'setting.notNumber': 'not a number',
  'setting.notText': 'not text',
  'setting.notBoolean': 'not true or false',
  'setting.notObject': 'not an object',
  'setting.clamped': '{0} is {1}; allowed: {2}; using {3}.',
  'setting.rounded': '{0} is {1}; using {2}.',
  'setting.range': '{0} to {1}',
  'setting.atLeast': 'at least {0}',
  'setting.atMost': 'at most {0}',
  'setting.entriesNotText': '{0} has entries that are not text ({1}); they are ignored.',
  'setting.entriesNotType': '{0} has entries that are not {1} ({2}); they are ignored.',

  // A face's own process (processSettings.ts)
  'guard.envNotNumber': '{0} must be a number of 0 or more, not "{1}".',

  // Transparent images (matte.ts). {0} a share such as 42 %, {1} the key colour #RRGGBB, {2} the share needed.
  'matte.notFlat': 'The background is not flat enough to make transparent ({0} of its border is near the key colour {1}; {2} is needed): the image is kept opaque.',
  'look.convertFailed': 'The image could not be converted to {0} ({1}): it is kept as the provider sent it.',
  'look.saved': '{0} {1} → {2} {3}',
  'look.maxWidth': 'The largest width must be a whole number of pixels from 0 (no limit) to {0}.',
  'matte.nothingLeft': 'Making the background transparent would leave nothing of the image (all of it is near the key colour {0}): the image is kept opaque.',
} as const satisfies Record<string, string>;

export type WordCode = keyof typeof ENGLISH;
export type WordArg = string | number | Words;

export interface Words {
  readonly code: WordCode;
  readonly args?: readonly WordArg[];
}

export function words(code: WordCode, ...args: WordArg[]): Words {
  return args.length ? { code, args } : { code };
}

/** Fills `{0}`, `{1}`… once, left to right, as vscode.l10n.t does (a value holding `{1}` stays as it is). */
export function fillTemplate(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
}

/** The sentence with the given templates (English by default; the webview passes its translated table). */
export function render(w: Words, templates: Readonly<Record<string, string>> = ENGLISH): string {
  const args = (w.args ?? []).map((a) => (typeof a === 'object' ? render(a, templates) : String(a)));
  return fillTemplate(templates[w.code] ?? ENGLISH[w.code], args);
}

/**
 * The sentence through a translator that looks a message up by its English text, as vscode.l10n.t
 * does: the English templates above are the keys of the editor's bundle (scripts/l10n.mjs adds each
 * to l10n/bundle.l10n.json), so the one table here is the only place a message is written.
 */
export function renderWith(t: (template: string, ...args: string[]) => string, w: Words): string {
  return t(ENGLISH[w.code], ...(w.args ?? []).map((a) => (typeof a === 'object' ? renderWith(t, a) : String(a))));
}

export function english(w: Words): string {
  return render(w, ENGLISH);
}

/** Parts joined two at a time with a list code: [a, b, c] → code(code(a, b), c). */
export function joinWords(parts: readonly WordArg[], code: 'list.semicolon' | 'list.and' | 'list.or' | 'list.space'): WordArg {
  if (parts.length === 0) return '';
  return parts.slice(1).reduce<WordArg>((acc, p) => words(code, acc, p), parts[0]!);
}

/** `{ message, words }` for a record that carries both (JobError, ValidationError). */
export function said(w: Words): { message: string; words: Words } {
  return { message: english(w), words: w };
}

/** A plain Error whose message is the English of `w`, carrying `w` for the UI. */
export function errorOf(w: Words): Error & { words: Words } {
  return Object.assign(new Error(english(w)), { words: w });
}

/** Is `x` a Words value (e.g. read back from storage)? */
export function isWords(x: unknown): x is Words {
  if (!x || typeof x !== 'object') return false;
  const w = x as { code?: unknown; args?: unknown };
  return typeof w.code === 'string' && Object.prototype.hasOwnProperty.call(ENGLISH, w.code) &&
    (w.args === undefined || (Array.isArray(w.args) && w.args.every((a) => typeof a === 'string' || typeof a === 'number' || isWords(a))));
}
