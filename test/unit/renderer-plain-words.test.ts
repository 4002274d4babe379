/** Jargon on screen becomes plain words (issue 9): engines, network errors, end reasons. */
import { describe, expect, it } from 'vitest';
import { endReasonLabel, engineLabel, errorInWords, idInWords } from '../../src/renderer/src/lib/format';

describe('engineLabel', () => {
  it('names the offline engines by what they do', () => {
    expect(engineLabel('pocketsphinx (offline)')).toBe('Offline speech recognition');
    expect(engineLabel('flite slt (offline)')).toBe('Offline voice');
    expect(engineLabel('flite kal16 (offline)')).toBe('Offline voice');
    expect(engineLabel('intent + knowledge base (offline)')).toBe('Offline replies');
  });

  it('keeps the cloud vendors the agent configured', () => {
    expect(engineLabel('Deepgram Nova-3')).toBe('Deepgram Nova-3');
    expect(engineLabel('Gemini 2.5 Flash')).toBe('Gemini 2.5 Flash');
  });
});

describe('errorInWords', () => {
  it("rewords the core's bracketed codes and keeps the original as the detail", () => {
    const original = 'Could not reach Deepgram at api.deepgram.com (ENOTFOUND).';
    expect(errorInWords(original)).toEqual({
      text: "Could not reach Deepgram at api.deepgram.com: the address wasn't found (is this computer online?).",
      detail: original,
    });
  });

  it("rewords Node's raw socket errors", () => {
    expect(errorInWords('getaddrinfo ENOTFOUND api.example.com').text).toBe(
      "api.example.com: the address wasn't found (is this computer online?)",
    );
    expect(errorInWords('connect ECONNREFUSED 127.0.0.1:443').text).toBe('127.0.0.1:443: nothing answered at that address');
    expect(errorInWords('read ECONNRESET').text).toBe('the connection was cut off');
    expect(errorInWords('Gemini: the test failed (fetch failed).').text).toBe("Gemini: the test failed (the request didn't get through).");
    expect(errorInWords('unable (CERT_HAS_EXPIRED)').text).toBe("unable: its security certificate couldn't be checked");
    expect(errorInWords('x (UND_ERR_SOCKET)').text).toBe('x: the connection failed');
  });

  it('leaves a message with no codes alone', () => {
    expect(errorInWords('Deepgram: the API key was refused (HTTP 401).')).toEqual({
      text: 'Deepgram: the API key was refused (HTTP 401).',
      detail: null,
    });
  });
});

describe('endReasonLabel', () => {
  it('reads "AI ended", not "Ai Ended"', () => {
    expect(endReasonLabel('ai_ended')).toBe('AI ended');
    expect(endReasonLabel('silence_timeout')).toBe('Caller went silent');
    expect(endReasonLabel('some_new_reason')).toBe('Some new reason');
  });
});

describe('idInWords', () => {
  it('turns ids from the core into a sentence', () => {
    expect(idInWords('double-charge')).toBe('Double charge');
    expect(idInWords('slow_internet')).toBe('Slow internet');
  });
});
