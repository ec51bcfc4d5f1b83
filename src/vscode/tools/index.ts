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

export type PictorTools = Record<(typeof TOOL_NAMES)[number], vscode.LanguageModelTool<any>>;

/** Registers the tools with VS Code; returns them (the tests' entry asks them to prepare an invocation). */
export function registerTools(context: vscode.ExtensionContext, deps: ToolDeps): PictorTools {
  const tools: PictorTools = {
    pictor_generateImage: answering('pictor_generateImage', deps, generateImageTool(deps)),
    pictor_fillPlaceholders: answering('pictor_fillPlaceholders', deps, fillPlaceholdersTool(deps)),
    pictor_listPlaceholders: answering('pictor_listPlaceholders', deps, listPlaceholdersTool(deps)),
  };
  for (const [name, tool] of Object.entries(tools)) context.subscriptions.push(vscode.lm.registerTool(name, tool));

  return tools;
}
