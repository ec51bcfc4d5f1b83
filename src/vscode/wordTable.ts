// The one table that turns the core's message codes (src/core/words.ts) into words in the user's
// language. Each template is a literal here so `npm run l10n` exports it into l10n/bundle.l10n.json;
// test/unit/l10n.test.ts checks that every template is the core's English one, letter for letter.
// The l10n API comes in as a parameter (the real vscode module at run time, see say.ts), so this
// file has no run-time vscode import and the unit test can read the table in plain Node.
import type * as vscode from 'vscode';
import type { WordCode } from '../core/words';

/** The part of the vscode API the table uses. */
export type L10nApi = { l10n: Pick<typeof vscode.l10n, 't'> };

export type WordTable = { readonly [C in WordCode]: (args: string[]) => string };

export function wordTable(vscode: L10nApi): WordTable {
  return {
    // Lists, built from two parts at a time so a language can choose its own separators.
    'list.semicolon': (a) => vscode.l10n.t('{0}; {1}', ...a),
    'list.and': (a) => vscode.l10n.t('{0} and {1}', ...a),
    'list.or': (a) => vscode.l10n.t('{0} or {1}', ...a),
    // Sizes (sizes.ts)
    'size.notRatio': (a) => vscode.l10n.t('{0}: not one of the 15 ratios: {1}', ...a),
    'size.explicit': (a) => vscode.l10n.t('{0}: {1}', ...a),
    'size.explicitTry': (a) => vscode.l10n.t('{0}: {1} (try {2})', ...a),
    'size.edgeRange': (a) => vscode.l10n.t('each edge must be between {0} and {1} pixels (got {2})', ...a),
    'size.edgeStep': (a) => vscode.l10n.t('both edges must be multiples of {0}', ...a),
    'size.minPixels': (a) => vscode.l10n.t('width × height must be at least {0} pixels (got {1})', ...a),
    'size.maxPixels': (a) => vscode.l10n.t('width × height must be at most {0} pixels (got {1})', ...a),
    'size.aspect': (a) => vscode.l10n.t('the long edge may be at most {0} times the short edge (got {1}:1)', ...a),
    'size.notSize': (a) => vscode.l10n.t('{0}: not a size; use auto, one of the 15 ratios ({1}) or WxH such as 1024x1024', ...a),
    'size.empty': () => vscode.l10n.t('(empty)'),
    // The request (request.ts)
    'request.promptEmpty': () => vscode.l10n.t('The prompt is empty: write what the image should show.'),
    'request.promptTooLong': (a) => vscode.l10n.t('The prompt has {0} characters (Unicode code points); the limit is {1}. Shorten it by {2}.', ...a),
    'request.n': (a) => vscode.l10n.t('The number of images (n) must be a whole number from {0} to {1}; got {2}. Pick a number in that range.', ...a),
    'request.resolution': (a) => vscode.l10n.t('The resolution must be one of {0}; got {1}. Choose one of those.', ...a),
    'request.quality': (a) => vscode.l10n.t('The quality must be one of {0}; got {1}. Choose one of those.', ...a),
    'request.size': (a) => vscode.l10n.t('Size {0}.', ...a),
    'request.model': (a) => vscode.l10n.t('The model must be {0}; got {1}. Set the model to {0}.', ...a),
    'request.refWhere': (a) => vscode.l10n.t('Reference image {0} ({1})', ...a),
    'request.refNotHttps': (a) => vscode.l10n.t('{0} is not an https:// URL. Use an https:// link to the image, or a file in the workspace.', ...a),
    'request.refPlainHttp': (a) => vscode.l10n.t('{0} uses http://; only https:// URLs are accepted. Change it to https://.', ...a),
    'request.refUrlType': (a) => vscode.l10n.t('{0} is a {1} image; accepted types are {2}. Convert it to PNG, JPEG or WebP.', ...a),
    'request.refFileType': (a) => vscode.l10n.t('{0} is a {1} file; accepted types are {2}. Convert it to PNG, JPEG or WebP.', ...a),
    'request.refNoExtension': (a) => vscode.l10n.t('{0} has no file extension; accepted types are {1}. Convert it to PNG, JPEG or WebP.', ...a),
    'request.refTooBig': (a) => vscode.l10n.t('{0} is {1} MB; each image may be at most {2} MB. Use a smaller or more compressed image.', ...a),
    'request.refsNotList': () => vscode.l10n.t('The reference images must be a list.'),
    'request.refsTooMany': (a) => vscode.l10n.t('{0} reference images were given; at most {1} are accepted. Remove {2}.', ...a),
    'request.refUnknown': (a) => vscode.l10n.t('Reference image {0} is neither a URL nor a file path. Remove it and add it again.', ...a),
    'request.callbackTooLong': (a) => vscode.l10n.t('The callback URL is {0} characters long; the limit is {1}. Use a shorter URL, or clear the setting.', ...a),
    'request.callbackInvalid': (a) => vscode.l10n.t('The callback URL {0} is not a valid URL. Enter an https:// URL, or clear the setting.', ...a),
    'request.callbackNotHttps': (a) => vscode.l10n.t('The callback URL must start with https://; got {0}//. Use an https:// URL, or clear the setting.', ...a),
    'request.callbackLoopback': (a) => vscode.l10n.t("The callback URL's host {0} is a loopback address, which the provider cannot reach or refuses. Use a public https:// address, or clear the setting.", ...a),
    'request.callbackPrivate': (a) => vscode.l10n.t("The callback URL's host {0} is a private or link-local address, which the provider cannot reach or refuses. Use a public https:// address, or clear the setting.", ...a),
    // The provider's answers (api/errors.ts). {0} is the HTTP status with the provider's code, {1} what it said (error.said) or nothing.
    'error.said': (a) => vscode.l10n.t(': {0}', ...a),
    'error.suggestion': (a) => vscode.l10n.t('{0} Suggestion: {1}', ...a),
    'error.http400': (a) => vscode.l10n.t('EvoLink refused the request ({0}){1}.', ...a),
    'error.http401': (a) => vscode.l10n.t('EvoLink did not accept the API key ({0}){1}. Run "Pictor: Set API Key" to enter a valid key.', ...a),
    'error.http402': (a) => vscode.l10n.t('Your EvoLink account is out of credits ({0}){1}. Top up in the EvoLink dashboard.', ...a),
    'error.http403': (a) => vscode.l10n.t('This API key may not use this model or task ({0}){1}.', ...a),
    'error.http404': (a) => vscode.l10n.t('EvoLink does not know this task; it may have expired ({0}){1}.', ...a),
    'error.http408': (a) => vscode.l10n.t('EvoLink timed out waiting for the request ({0}){1}.', ...a),
    'error.http429': (a) => vscode.l10n.t('EvoLink is rate limiting requests ({0}){1}.', ...a),
    'error.http5xx': (a) => vscode.l10n.t('EvoLink had a server problem ({0}){1}.', ...a),
    'error.httpOther': (a) => vscode.l10n.t('EvoLink answered {0}{1}.', ...a),
    'error.noKey': () => vscode.l10n.t('No EvoLink API key is set. Run "Pictor: Set API Key" to enter one.'),
    'error.badKey': (a) => vscode.l10n.t('{0} Nothing was sent. Run "Pictor: Set API Key" and paste the key again.', ...a),
    'error.keyEmpty': () => vscode.l10n.t('The API key is empty.'),
    'error.keyShort': () => vscode.l10n.t('The API key is too short to be an EvoLink key.'),
    'error.keySpace': (a) => vscode.l10n.t('The API key has a space or line break inside it (at character {0}).', ...a),
    'error.keyChar': (a) => vscode.l10n.t('The API key contains a character HTTP cannot carry ({0}, at character {1}); a key has only plain ASCII letters, digits and symbols.', ...a),
    'error.lookup': (a) => vscode.l10n.t('Could not look up {0} ({1}). Check the network connection and the URL setting.', ...a),
    'error.connectTimeout': (a) => vscode.l10n.t('Connecting to {0} timed out. Check the network connection, the proxy and the URL setting.', ...a),
    'error.connect': (a) => vscode.l10n.t('Could not connect to {0} ({1}). Check the network connection, the proxy and the URL setting.', ...a),
    'error.tls': (a) => vscode.l10n.t('The secure connection to {0} failed ({1}). A proxy or firewall may be intercepting HTTPS: add its certificate with NODE_EXTRA_CA_CERTS.', ...a),
    'error.noAnswer': (a) => vscode.l10n.t('{0} did not answer in time ({1}).', ...a),
    'error.broke': (a) => vscode.l10n.t('The connection to {0} broke ({1}).', ...a),
    'error.brokeSaid': (a) => vscode.l10n.t('The connection to {0} failed: {1}', ...a),
    'error.maybeCreated': (a) => vscode.l10n.t('{0} The task may have been created anyway; Pictor will not send it again to avoid double billing. Check your EvoLink dashboard before retrying.', ...a),
    // A failed task (api/errors.ts TASK_FAILURES): {0} the reason, {1} the advice; with what the provider said.
    'task.failure': (a) => vscode.l10n.t('{0} {1}', ...a),
    'task.failureSaid': (a) => vscode.l10n.t('{0} The provider said: "{1}". {2}', ...a),
    'task.content_policy_violation': () => vscode.l10n.t('The provider refused the prompt or images under its content policy.'),
    'task.invalid_parameters': () => vscode.l10n.t('The provider rejected the parameters of the request.'),
    'task.image_processing_error': () => vscode.l10n.t('The provider could not process a reference image.'),
    'task.image_dimension_mismatch': () => vscode.l10n.t("The reference images' dimensions do not fit the request."),
    'task.generation_failed_no_content': () => vscode.l10n.t('The model finished without producing an image for this prompt.'),
    'task.service_error': () => vscode.l10n.t('The provider had an internal error.'),
    'task.generation_timeout': () => vscode.l10n.t("The generation took too long on the provider's side."),
    'task.resource_exhausted': () => vscode.l10n.t('The provider is out of capacity right now.'),
    'task.quota_exceeded': () => vscode.l10n.t('The provider refused the task because of a rate limit or quota.'),
    'task.service_unavailable': () => vscode.l10n.t('The provider is unavailable right now.'),
    'task.unknown_error': () => vscode.l10n.t('The provider reported an unknown error.'),
    'task.request_cancelled': () => vscode.l10n.t("The task was cancelled on the provider's side."),
    'task.resource_not_found': () => vscode.l10n.t('The provider does not know this task: its id is invalid or has expired.'),
    'task.unknownCode': (a) => vscode.l10n.t('The provider reported that the task failed ({0}).', ...a),
    'advice.changeInput': () => vscode.l10n.t('Change the prompt or the reference images before trying again.'),
    'advice.later': () => vscode.l10n.t('Retrying later may work.'),
    'advice.checkOptions': () => vscode.l10n.t('Check the size, resolution, quality and n before trying again.'),
    'advice.reword': () => vscode.l10n.t('Try another prompt: reword it or describe the image differently.'),
    'advice.wait': () => vscode.l10n.t('Wait a few minutes, then retry.'),
    'advice.generateAgain': () => vscode.l10n.t('Generate again if you still want the image.'),
    'advice.newTask': () => vscode.l10n.t('Generate again to send a new task (billed again).'),
    // Regenerating from a recipe (recipe.ts)
    'recipe.outsideRef': (a) => vscode.l10n.t('The recipe names a reference image outside the workspace folder ({0}); it is not sent.', ...a),
    // The queue (jobs/)
    'job.unknownStatus': (a) => vscode.l10n.t('The provider reported the status "{0}" for this task, which Pictor does not know, so it stopped waiting. Generate again if you still want the image (a new task is billed again).', ...a),
    'job.idKept': (a) => vscode.l10n.t('{0} The task id is kept: Retry continues waiting for it.', ...a),
    'job.expired': () => vscode.l10n.t('The provider no longer knows this task: it expired or its id is unknown. Retry sends it again as a new task, which is billed again.'),
    'job.stoppedWatching': () => vscode.l10n.t('Stopped watching this cancelled task: its results would have expired.'),
    'job.noResultTimeout': (a) => vscode.l10n.t('No result after {0}. The task id is kept: Retry keeps waiting for it.', ...a),
    'job.downloadTimeout': (a) => vscode.l10n.t('The images were not downloaded within {0}. The result links are kept: Retry downloads them again without a new task.', ...a),
    'job.noResults': () => vscode.l10n.t('The task completed without any image. Retry sends it again.'),
    'job.unknownAfterRestart': () => vscode.l10n.t('Pictor was stopped while this task was being created; it was not resent to avoid paying twice. Retry to send it again.'),
    'job.seconds': (a) => vscode.l10n.t('{0} seconds', ...a),
    'job.second': (a) => vscode.l10n.t('{0} second', ...a),
    'job.minutes': (a) => vscode.l10n.t('{0} minutes', ...a),
    'job.minute': (a) => vscode.l10n.t('{0} minute', ...a),
  };
}
