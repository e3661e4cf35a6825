/*
 * The browser side of the gateway's GraphiQL page (graphiql.ts serves it with the prebuilt GraphiQL bundle of
 * @graphql-yoga/graphiql and graphql-ws's browser client; nothing is loaded from anywhere but the gateway).
 *
 * Why a fetcher of our own instead of the bundle's: the bundle sends the Headers tab with HTTP requests only, and
 * its graphql-ws client would open the WebSocket without them. The gateway authenticates a WebSocket by the
 * `connection_init` payload (`Authorization`, `X-LGSP-Purpose`, names matched without regard to case), so here
 * the headers of the operation being run go in the HTTP request and, for a subscription, in `connection_init` of a
 * WebSocket opened for that subscription alone.
 */
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  // The page is served at the GraphQL endpoint itself (GET /graphql from a browser).
  const endpoint = new URL(location.pathname, location.href);
  const webSocketEndpoint = endpoint.href.replace(/^http/, 'ws');

  // Monaco's workers, served next to the bundle (graphiql.ts); a module worker from the same origin.
  const workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: (_moduleId, label) => config.assets + (workers[label] ?? workers.editorWorkerService),
  };

  /** The operation GraphiQL runs: the one named `operationName`, or the only one. */
  function operationOf(documentAST, operationName) {
    const operations = (documentAST?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
    if (operationName) return operations.find((o) => o.name?.value === operationName);
    return operations.length === 1 ? operations[0] : undefined;
  }

  /**
   * The Headers tab as sent: a header whose value still holds a `<placeholder>` (the prefilled
   * `Bearer <access token>`) is left out — no token is written like that, and sending it would make the schema
   * request GraphiQL runs on opening fail with 401, so the page would open on an error. X-LGSP-Purpose written in
   * Vietnamese is percent-encoded as UTF-8, the encoding the gateway decodes (header values are Latin-1 bytes;
   * `fetch` refuses anything else). Values already in ASCII go as written.
   */
  function headersToSend(headers) {
    const sent = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      const text = String(value);
      if (/<[^<>]*>/.test(text)) continue;
      sent[name] = name.toLowerCase() === 'x-lgsp-purpose' && /[^\x20-\x7e]/.test(text) ? encodeURIComponent(text.trim()) : text;
    }
    return sent;
  }

  async function post(params, headers) {
    let request;
    try {
      request = new Headers(headers);
    } catch (error) {
      // A value fetch cannot send (a character outside Latin-1, a line break): say which, as a GraphQL error.
      return { errors: [{ message: `The Headers tab holds a value that cannot be sent in HTTP: ${error.message}` }] };
    }
    request.set('content-type', 'application/json');
    if (!request.has('accept')) request.set('accept', 'application/graphql-response+json, application/json;q=0.9');
    let response;
    try {
      response = await fetch(endpoint, { method: 'POST', headers: request, body: JSON.stringify(params), credentials: 'omit' });
    } catch (error) {
      return { errors: [{ message: `The gateway at ${endpoint.href} did not answer (${error.message}); is it still running?` }] };
    }
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      // Not a GraphQL answer (a proxy's error page, say): show what came back.
      return { errors: [{ message: `HTTP ${response.status} ${response.statusText}: ${text.slice(0, 500)}` }] };
    }
  }

  /** An Observable (what GraphiQL accepts for a stream) of one subscription on a WebSocket of its own. */
  function subscription(params, headers) {
    return {
      subscribe(observer) {
        const client = graphqlWs.createClient({ url: webSocketEndpoint, connectionParams: headers, lazy: true, retryAttempts: 0 });
        const end = () => void client.dispose();
        const stop = client.subscribe(params, {
          next: (result) => observer.next(result),
          complete: () => {
            end();
            observer.complete();
          },
          error: (error) => {
            end();
            if (Array.isArray(error)) {
              // GraphQL errors of the subscribe request (validation, authorization): a result like any other.
              observer.next({ errors: error });
              observer.complete();
            } else if (error instanceof Error) {
              observer.error(error);
            } else {
              // A CloseEvent with the gateway's code and reason (4403: no valid token, or it expired; 4400: a bad header).
              observer.error(new Error(`The gateway closed the WebSocket: ${error.code} ${error.reason || ''}`.trim()));
            }
          },
        });
        return {
          unsubscribe() {
            stop();
            end();
          },
        };
      },
    };
  }

  /**
   * GraphiQL asks for the schema as it opens (and with the reload button): when the gateway refuses, GraphiQL shows
   * whatever came back in the result pane. Instead of a raw error on a page nobody has used yet — Apollo Server's
   * says to "pass introspection: true to ApolloServer", which no operator of this gateway can do — a note says
   * what it means and what still works. (A text answer is shown as is; GraphiQL asks once more without
   * subscriptions, which gets the same note.)
   */
  async function schema(params, headers) {
    const result = await post(params, headers);
    if (result?.data?.__schema) return result;
    const error = result?.errors?.[0];
    const said = error ? `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}` : JSON.stringify(result);
    const hasToken = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
    let meaning;
    if (error?.extensions?.code === 'UNAUTHENTICATED' && !hasToken) {
      meaning =
        'This gateway answers nothing without an access token, not even its schema: put "Bearer " and your token in the Authorization header (Headers tab below), then press the reload button (Re-fetch GraphQL schema, bottom left).';
    } else if (error?.extensions?.code === 'UNAUTHENTICATED') {
      meaning =
        'The gateway refused the access token in the Headers tab (expired? tokens last 5 minutes): put a new one, then press the reload button (Re-fetch GraphQL schema, bottom left).';
    } else if (error?.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED') {
      meaning =
        'This gateway does not publish its schema (introspection is off: GATEWAY_INTROSPECTION=false), so there is no completion and no documentation here.\nQueries still run: write one and press Run.';
    } else {
      meaning =
        'GraphiQL could not load the schema, so there is no completion and no documentation here; the reload button (Re-fetch GraphQL schema, bottom left) tries again.\nQueries still run: write one and press Run.';
    }
    return `${meaning}\n\nThe gateway said: ${said}`;
  }

  function fetcher(params, opts) {
    const headers = headersToSend(opts?.headers);
    if (operationOf(opts?.documentAST, params.operationName)?.operation === 'subscription') return subscription(params, headers);
    // GraphiQL's own schema request has no document of the user's, and is named IntrospectionQuery.
    return opts?.documentAST === undefined && params.operationName === 'IntrospectionQuery' ? schema(params, headers) : post(params, headers);
  }

  /**
   * The portal's try-out (portal/src/pages/developer/TryOut.tsx) hands over a Headers tab (a test credential's access
   * token, the purpose) and a first query in this tab's sessionStorage, copied from the portal's tab that opened this
   * one (same origin). Read once and deleted: a reload opens the page's defaults.
   */
  function handoff() {
    try {
      const raw = sessionStorage.getItem('lgsp-graphiql:handoff');
      if (raw === null) return undefined;
      sessionStorage.removeItem('lgsp-graphiql:handoff');
      const value = JSON.parse(raw);
      return typeof value?.headers === 'string' && typeof value?.query === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const given = handoff();
  const initialHeaders = given?.headers ?? config.headers;
  const initialQuery = given !== undefined && given.query.trim() !== '' ? given.query : config.document;

  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('graphiql'), {
    fetcher,
    title: 'LGSP Gateway',
    initialQuery,
    defaultQuery: config.document,
    initialHeaders,
    defaultHeaders: config.headers,
    // The first thing to do is to put an access token in the Authorization header.
    defaultEditorToolsVisibility: given !== undefined || config.headers !== '' ? 'headers' : true,
    // Access tokens stay in the tab, not in the browser's storage (machines may be shared; tokens last minutes).
    shouldPersistHeaders: false,
  });
})();
