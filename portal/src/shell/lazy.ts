/**
 * Pages load by role folder: each folder's `index.tsx` lists its routes (paths, titles, roles, probes: small, in the
 * main bundle for the menu and the guard) and takes its pages from the folder's `screens.ts` through one dynamic
 * import, so a folder's pages are one chunk, fetched the first time one of them opens (App.tsx shows a spinner
 * meanwhile, through Suspense).
 *
 *   const screens = () => import('./screens.ts');
 *   const Catalogue = lazyPage(screens, 'Catalogue');
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export function lazyPage<M>(load: () => Promise<M>, name: keyof M): LazyExoticComponent<ComponentType> {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}
