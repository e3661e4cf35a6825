/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { Catalogue } from './Catalogue.tsx';
export { Credentials } from './Credentials.tsx';
export { RequestForm } from './RequestForm.tsx';
export { MyRequests, RequestDetail } from './Requests.tsx';
export { ServiceDetail } from './ServiceDetail.tsx';
export { TryOut } from './TryOut.tsx';
