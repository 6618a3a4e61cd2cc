/**
 * NATS subject rules, shared by every bus so that a subject the in-process
 * bus accepts is one NATS accepts too: dot-separated non-empty tokens without
 * whitespace; `*` matches exactly one token; `>` (last token only) matches
 * one or more. Wildcards are whole tokens: `a*` is a literal.
 */
export function assertPublishSubject(subject: string): void {
  for (const token of tokensOf(subject)) {
    if (token === "*" || token === ">") {
      throw new TypeError(`cannot publish to ${JSON.stringify(subject)}: wildcards are for subscribing`);
    }
  }
}

export function assertSubscribeSubject(subject: string): void {
  const tokens = tokensOf(subject);
  if (tokens.slice(0, -1).includes(">")) {
    throw new TypeError(`invalid subject ${JSON.stringify(subject)}: ">" may only be the last token`);
  }
}

/** Whether a valid pattern matches a valid, wildcard-free subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const want = pattern.split(".");
  const have = subject.split(".");
  for (let index = 0; index < want.length; index++) {
    const token = want[index];
    if (token === ">") return have.length > index;
    if (index >= have.length || (token !== "*" && token !== have[index])) return false;
  }
  return want.length === have.length;
}

function tokensOf(subject: string): string[] {
  const tokens = subject.split(".");
  if (tokens.some((token) => token === "" || /\s/.test(token))) {
    throw new TypeError(`invalid subject ${JSON.stringify(subject)}: tokens must be non-empty and contain no whitespace`);
  }
  return tokens;
}
