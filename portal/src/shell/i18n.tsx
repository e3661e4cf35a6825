/**
 * Languages: Vietnamese first, English available. A text is a `Text` ({ vi, en }); pages keep theirs next to them
 * and read them with `useT()`. The choice is kept in localStorage (`lgsp-portal:lang`).
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'vi' | 'en';
export interface Text {
  vi: string;
  en: string;
}

const STORAGE_KEY = 'lgsp-portal:lang';

interface LangState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LangContext = createContext<LangState>({ lang: 'vi', setLang: () => undefined });

function initialLang(): Lang {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  // The page's language for screen readers and hyphenation follows the choice, also when it was kept from before.
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<LangState>(
    () => ({
      lang,
      setLang(next) {
        localStorage.setItem(STORAGE_KEY, next);
        setLangState(next);
      },
    }),
    [lang],
  );
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): LangState {
  return useContext(LangContext);
}

/** `t(text)` in the current language; `t(text, { n: 3 })` replaces `{n}`. */
export function useT(): (text: Text, values?: Record<string, string | number>) => string {
  const { lang } = useLang();
  return (text, values) => {
    let out = text[lang];
    for (const [key, value] of Object.entries(values ?? {})) out = out.replaceAll(`{${key}}`, String(value));
    return out;
  };
}
