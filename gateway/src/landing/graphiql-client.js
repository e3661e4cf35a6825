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

  function fetcher(params, opts) {
    const headers = headersToSend(opts?.headers);
    return operationOf(opts?.documentAST, params.operationName)?.operation === 'subscription' ? subscription(params, headers) : post(params, headers);
  }

  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('graphiql'), {
    fetcher,
    title: 'LGSP Gateway',
    initialQuery: config.document,
    defaultQuery: config.document,
    initialHeaders: config.headers,
    defaultHeaders: config.headers,
    // The first thing to do is to put an access token in the Authorization header.
    defaultEditorToolsVisibility: config.headers === '' ? true : 'headers',
    // Access tokens stay in the tab, not in the browser's storage (machines may be shared; tokens last minutes).
    shouldPersistHeaders: false,
  });
})();
