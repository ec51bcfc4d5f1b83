// The language model tools (contributes.languageModelTools): agents in chat ask Pictor for images
// through the same checks, queue, claims and linker as the commands. Refusals are answers, not errors.
import * as vscode from 'vscode';
import { Refusal, type ToolDeps } from './common';
import { fillPlaceholdersTool } from './fillTool';
import { generateImageTool } from './generateTool';
import { listPlaceholdersTool } from './listTool';
import { answer } from './run';
import { say } from '../say';

export const TOOL_NAMES = ['pictor_generateImage', 'pictor_fillPlaceholders', 'pictor_listPlaceholders'] as const;

/** Turns a refusal (or an unexpected failure) into the text answer an agent reads and acts on. */
function answering<T>(name: string, deps: ToolDeps, tool: vscode.LanguageModelTool<T>): vscode.LanguageModelTool<T> {
  return {
    prepareInvocation: tool.prepareInvocation?.bind(tool),
    async invoke(options, token) {
      try {
        return (await tool.invoke(options, token))!;
      } catch (e) {
        if (e instanceof Refusal) {
          deps.log.info(`${name}: refused: ${e.message}`);
          return answer(e.message);
        }
        deps.log.error(`${name} failed: ${(e as Error).message}`);
        return answer(vscode.l10n.t('Pictor could not finish: {0}', say(e as Error)));
      }
    },
  };
}

export function registerTools(context: vscode.ExtensionContext, deps: ToolDeps): void {
  const tools: Record<(typeof TOOL_NAMES)[number], vscode.LanguageModelTool<any>> = {
    pictor_generateImage: answering('pictor_generateImage', deps, generateImageTool(deps)),
    pictor_fillPlaceholders: answering('pictor_fillPlaceholders', deps, fillPlaceholdersTool(deps)),
    pictor_listPlaceholders: answering('pictor_listPlaceholders', deps, listPlaceholdersTool(deps)),
  };
  for (const [name, tool] of Object.entries(tools)) context.subscriptions.push(vscode.lm.registerTool(name, tool));

  // Outside production only: lets integration tests read the confirmation a chat would show, which
  // vscode.lm.invokeTool shows as a dialog that an extension host cannot see (tests skip dialogs).
  if (context.extensionMode !== vscode.ExtensionMode.Production) {
    context.subscriptions.push(vscode.commands.registerCommand('pictor._test.prepareTool', async (name: string, input: unknown) => {
      const tool = tools[name as keyof typeof tools];
      const prepared = await tool?.prepareInvocation?.({ input }, new vscode.CancellationTokenSource().token);
      const text = (m: string | vscode.MarkdownString | undefined) => (typeof m === 'string' || m === undefined ? m : m.value);
      return prepared && {
        invocationMessage: text(prepared.invocationMessage),
        confirmation: prepared.confirmationMessages && { title: prepared.confirmationMessages.title, message: text(prepared.confirmationMessages.message) },
      };
    }));
  }
}
