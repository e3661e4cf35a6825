/**
 * A bounded, streaming XML reader on top of `sax` (strict mode): bytes in, a small element tree out.
 *
 * Memory stays bounded whatever arrives: sax flushes long text in 64 KiB pieces and refuses any other token
 * (comment, tag or attribute name, attribute value, DOCTYPE) longer than that; the text of base64 attachment
 * elements is decoded on the fly and never kept; everything retained counts against `maxRetainedChars`; depth,
 * element and attribute counts are checked as each tag starts, so hostile input fails at the first offending
 * token instead of after it has been read in full.
 *
 * sax is run without its namespace mode so that attributes are reported one by one as they are read (fail fast
 * on attribute floods); namespaces are resolved here, and an unbound prefix is a well-formedness error as in
 * XML Namespaces 1.0. Well-formedness checks sax's strict mode lacks are added: a second root element, a
 * duplicate attribute, characters XML 1.0 forbids, an XML declaration naming another encoding.
 */
import sax from 'sax';
import type { SAXParser } from 'sax';
import { EdxmlError, EdxmlErrorCode } from './errors.ts';
import { Base64Sink } from './values.ts';

/** Limits applied while reading; every one is configurable per call. */
export interface EdxmlLimits {
  /** Total packet size in bytes (UTF-8), attachments included. */
  maxBytes: number;
  /** Element nesting depth (real packets: about 8). */
  maxDepth: number;
  /** Number of elements in the whole packet. */
  maxElements: number;
  /** Attributes on one element. */
  maxAttributesPerElement: number;
  /** Characters of text and attribute values kept in memory (attachment content is not kept). */
  maxRetainedChars: number;
  /** Length of an element or attribute name. */
  maxNameLength: number;
}

export const DEFAULT_LIMITS: EdxmlLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 20_000,
  maxAttributesPerElement: 32,
  maxRetainedChars: 4 * 1024 * 1024,
  maxNameLength: 256,
};

/** One element as read: local name, namespace, position, retained text and children. */
export interface XmlElement {
  /** Qualified name as written (`edXML:From`). */
  qname: string;
  /** Local name (`From`). */
  local: string;
  /** Namespace URI, '' when none. */
  ns: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text content (not trimmed), '' for attachment content elements (see `base64`). */
  text: string;
  /** 1-based position of the `<` that opens the element. */
  line: number;
  column: number;
  parent: XmlElement | undefined;
  /** Present on elements whose text is streamed through a base64 decoder instead of being kept. */
  base64?: Base64Sink;
}

export interface XmlReaderOptions {
  limits: EdxmlLimits;
  /** Local names (lower case) whose text is base64 content, streamed and never kept. */
  base64Elements: ReadonlySet<string>;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
// XML 1.0 §2.2: C0 controls other than tab, LF, CR, and U+FFFE/U+FFFF are not characters of a document.
// eslint-disable-next-line no-control-regex -- the control characters are what this matches
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// Declarations that could define entities. Matched in the raw character stream, before sax sees them, so that
// even an endless internal subset is refused at its first bytes. A mention inside a comment is refused as well:
// an edXML packet has no reason to carry one.
const FORBIDDEN_DECLARATION = /<!(DOCTYPE|ENTITY)/i;
const DECLARATION_CARRY = '<!DOCTYPE'.length - 1;
/** sax flushes text longer than this and refuses any other token longer than this (not in @types/sax). */
const SAX_TOKEN_LIMIT = (sax as unknown as { MAX_BUFFER_LENGTH: number }).MAX_BUFFER_LENGTH;

function localName(qname: string): { prefix: string; local: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, i), local: qname.slice(i + 1) };
}

/** Streaming reader: `write` bytes or strings as they arrive, then `end()` for the root element. */
export class XmlReader {
  private readonly limits: EdxmlLimits;
  private readonly base64Elements: ReadonlySet<string>;
  private readonly parser: SAXParser;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private bytes = 0;
  private sawFirstBytes = false;
  private root: XmlElement | undefined;
  private current: XmlElement | undefined;
  private closedRoot = false;
  private depth = 0;
  private elements = 0;
  private retained = 0;
  private pendingAttributes: Record<string, string> = {};
  private pendingAttributeCount = 0;
  private pendingStart: { line: number; column: number } = { line: 1, column: 1 };
  private readonly scopes: Array<Map<string, string>> = [];
  private seenAnything = false;
  // Raw-stream position, for errors found before sax (forbidden declarations, invalid UTF-8).
  private rawLine = 1;
  private rawColumn = 0;
  private carry = '';

  constructor(options: XmlReaderOptions) {
    this.limits = options.limits;
    this.base64Elements = options.base64Elements;
    // strictEntities: only the five XML entities (sax would otherwise expand HTML ones such as &nbsp;).
    // The option exists in sax ≥ 1.2.2 but not in @types/sax, hence the widened type.
    const saxOptions: sax.SAXOptions & { strictEntities: boolean } = { position: true, xmlns: false, trim: false, normalize: false, strictEntities: true };
    this.parser = sax.parser(true, saxOptions);
    this.parser.onerror = (error) => {
      throw this.saxError(error);
    };
    this.parser.onprocessinginstruction = (pi) => this.onProcessingInstruction(pi.name, pi.body);
    this.parser.ondoctype = () => {
      throw this.error(EdxmlErrorCode.FORBIDDEN_CONSTRUCT, 'DOCTYPE declarations are not accepted in edXML packets');
    };
    this.parser.onopentagstart = (tag) => this.onOpenTagStart(tag);
    this.parser.onattribute = (attribute) => this.onAttribute(attribute.name, attribute.value);
    this.parser.onopentag = (tag) => this.onOpenTag(tag.name, tag.isSelfClosing);
    this.parser.onclosetag = () => this.onCloseTag();
    this.parser.ontext = (text) => this.onText(text);
    this.parser.oncdata = (text) => this.onText(text);
    this.parser.oncomment = () => {
      this.seenAnything = true;
    };
  }

  /** Feed the next piece of the packet. Throws {@link EdxmlError} at the first problem. */
  write(chunk: Buffer | Uint8Array | string): void {
    let text: string;
    if (typeof chunk === 'string') {
      this.countBytes(Buffer.byteLength(chunk, 'utf8'));
      text = chunk;
      if (!this.sawFirstBytes && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.sawFirstBytes = this.sawFirstBytes || text.length > 0;
    } else {
      this.countBytes(chunk.byteLength);
      if (!this.sawFirstBytes && chunk.byteLength > 0) {
        this.sawFirstBytes = true;
        // A UTF-16 or UTF-32 byte order mark: QCVN 102 systems send UTF-8 only.
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          throw new EdxmlError(EdxmlErrorCode.UNSUPPORTED_ENCODING, 'the packet is UTF-16 encoded; edXML packets must be UTF-8', { line: 1, column: 1 });
        }
      }
      try {
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        // Locate the first bad sequence for the message (the lenient decoder marks it with U+FFFD).
        const lenient = new TextDecoder('utf-8').decode(chunk);
        const at = this.advance(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))), this.rawLine, this.rawColumn);
        throw new EdxmlError(EdxmlErrorCode.NOT_WELL_FORMED, 'the packet contains bytes that are not valid UTF-8', { line: at.line, column: at.column + 1 });
      }
    }
    this.feed(text);
  }

  /** Finish reading and return the root element. */
  end(): XmlElement {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new EdxmlError(EdxmlErrorCode.NOT_WELL_FORMED, 'the packet ends inside a UTF-8 sequence', { line: this.rawLine, column: this.rawColumn + 1 });
    }
    if (rest) this.feed(rest);
    this.parser.close();
    if (!this.root) {
      throw new EdxmlError(EdxmlErrorCode.NOT_WELL_FORMED, 'the packet has no root element', { line: this.rawLine, column: this.rawColumn });
    }
    return this.root;
  }

  private countBytes(n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxBytes) {
      throw new EdxmlError(EdxmlErrorCode.TOO_LARGE, `the packet is larger than ${this.limits.maxBytes} bytes`, {
        line: this.rawLine,
        limit: 'maxBytes',
      });
    }
  }

  private feed(text: string): void {
    if (!text) return;
    const window = this.carry + text;
    const match = FORBIDDEN_DECLARATION.exec(window);
    if (match) {
      const offset = match.index - this.carry.length; // may be negative: the match began in the previous piece
      const before = offset >= 0 ? text.slice(0, offset) : '';
      const { line, column } = offset >= 0 ? this.advance(before, this.rawLine, this.rawColumn) : { line: this.rawLine, column: this.rawColumn + offset };
      throw new EdxmlError(
        EdxmlErrorCode.FORBIDDEN_CONSTRUCT,
        `${match[1]!.toUpperCase()} declarations are not accepted in edXML packets (entity expansion and external entities are refused)`,
        {
          line,
          column: column + 1,
        },
      );
    }
    this.carry = window.slice(-DECLARATION_CARRY);
    const end = this.advance(text, this.rawLine, this.rawColumn);
    this.parser.write(text);
    this.rawLine = end.line;
    this.rawColumn = end.column;
  }

  private advance(text: string, line: number, column: number): { line: number; column: number } {
    let newlines = 0;
    let last = -1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      newlines++;
      last = i;
    }
    return newlines === 0 ? { line, column: column + text.length } : { line: line + newlines, column: text.length - last - 1 };
  }

  private position(): { line: number; column: number } {
    return { line: this.parser.line + 1, column: this.parser.column };
  }

  private error(code: EdxmlErrorCode, message: string, extra: { path?: string; limit?: string } = {}): EdxmlError {
    return new EdxmlError(code, message, { ...this.position(), ...extra });
  }

  private saxError(error: Error): EdxmlError {
    const message = (error.message.split('\n')[0] ?? 'syntax error').replace(/\.$/, '');
    if (message.startsWith('Max buffer length exceeded')) {
      return this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `a single XML token is longer than ${SAX_TOKEN_LIMIT} characters (${message})`, {
        limit: 'tokenLength',
      });
    }
    let detail = `${message.charAt(0).toLowerCase()}${message.slice(1)}`;
    if (this.current && /^Unexpected close tag|^Unclosed root tag/.test(message)) {
      detail += ` (<${this.current.qname}> opened at line ${this.current.line} column ${this.current.column} is still open)`;
    }
    return this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: ${detail}`, {
      ...(this.current ? { path: pathOf(this.current) } : {}),
    });
  }

  private onProcessingInstruction(name: string, body: string): void {
    if (name.toLowerCase() === 'xml') {
      if (this.seenAnything || this.parser.startTagPosition !== 1)
        throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, 'not well-formed XML: the XML declaration must be at the very start');
      const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(body)?.[1];
      if (encoding && !/^(utf-?8|us-ascii)$/i.test(encoding)) {
        throw this.error(EdxmlErrorCode.UNSUPPORTED_ENCODING, `the packet declares encoding "${encoding}"; edXML packets must be UTF-8`);
      }
    }
    this.seenAnything = true;
  }

  private onOpenTagStart(tag: sax.Tag | sax.QualifiedTag): void {
    const name = tag.name;
    this.seenAnything = true;
    // sax silently keeps the first of two same-named attributes; XML 1.0 (§3.1) makes the repetition a
    // well-formedness error. sax asks `tag.attributes.hasOwnProperty(name)` before storing an attribute, so the
    // repetition is caught there (guarded by the "duplicate attribute" test).
    const attributes: Record<string, string> = {};
    Object.defineProperty(attributes, 'hasOwnProperty', {
      enumerable: false,
      value: (attributeName: string): boolean => {
        if (Object.prototype.hasOwnProperty.call(attributes, attributeName)) {
          throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: attribute "${attributeName}" appears twice on <${name}>`);
        }
        return false;
      },
    });
    (tag as { attributes: Record<string, string> }).attributes = attributes;
    const { line, column } = this.position();
    if (this.closedRoot) throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: a second root element <${name}>`);
    if (name.length > this.limits.maxNameLength) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `an element name is longer than ${this.limits.maxNameLength} characters`, { limit: 'maxNameLength' });
    }
    if (this.depth + 1 > this.limits.maxDepth) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `elements are nested deeper than ${this.limits.maxDepth} levels`, {
        limit: 'maxDepth',
        ...(this.current ? { path: pathOf(this.current) } : {}),
      });
    }
    if (++this.elements > this.limits.maxElements) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `the packet has more than ${this.limits.maxElements} elements`, { limit: 'maxElements' });
    }
    this.pendingAttributes = {};
    this.pendingAttributeCount = 0;
    this.pendingStart = { line, column: Math.max(1, column - name.length - 1) };
  }

  private onAttribute(name: string, value: string): void {
    if (++this.pendingAttributeCount > this.limits.maxAttributesPerElement) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `an element has more than ${this.limits.maxAttributesPerElement} attributes`, {
        limit: 'maxAttributesPerElement',
      });
    }
    if (name.length > this.limits.maxNameLength) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `an attribute name is longer than ${this.limits.maxNameLength} characters`, { limit: 'maxNameLength' });
    }
    if (Object.hasOwn(this.pendingAttributes, name)) {
      throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: attribute "${name}" appears twice`);
    }
    if (FORBIDDEN_CHAR.test(value)) throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, 'not well-formed XML: a control character in an attribute value');
    this.retain(name.length + value.length);
    this.pendingAttributes[name] = value;
  }

  private onOpenTag(qname: string, selfClosing: boolean): void {
    const scope = new Map(
      this.scopes[this.scopes.length - 1] ?? [
        ['', ''],
        ['xml', XML_NS],
        ['xmlns', XMLNS_NS],
      ],
    );
    for (const [name, value] of Object.entries(this.pendingAttributes)) {
      if (name === 'xmlns') scope.set('', value);
      else if (name.startsWith('xmlns:')) {
        const prefix = name.slice(6);
        if (!value) throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: namespace prefix "${prefix}" bound to an empty name`);
        scope.set(prefix, value);
      }
    }
    const { prefix, local } = localName(qname);
    const ns = scope.get(prefix);
    if (ns === undefined) throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, `not well-formed XML: unbound namespace prefix "${prefix}" on <${qname}>`);
    for (const name of Object.keys(this.pendingAttributes)) {
      const attributePrefix = localName(name).prefix;
      if (attributePrefix && attributePrefix !== 'xmlns' && !scope.has(attributePrefix)) {
        throw this.error(
          EdxmlErrorCode.NOT_WELL_FORMED,
          `not well-formed XML: unbound namespace prefix "${attributePrefix}" on attribute ${name} of <${qname}>`,
        );
      }
    }
    const element: XmlElement = {
      qname,
      local,
      ns,
      attributes: this.pendingAttributes,
      children: [],
      text: '',
      line: this.pendingStart.line,
      column: this.pendingStart.column,
      parent: this.current,
    };
    if (this.base64Elements.has(local.toLowerCase())) element.base64 = new Base64Sink();
    this.retain(qname.length);
    if (this.current) this.current.children.push(element);
    else this.root = element;
    this.current = element;
    this.scopes.push(scope);
    this.depth++;
    void selfClosing; // sax reports the close tag of a self-closing element separately
  }

  private onCloseTag(): void {
    const element = this.current;
    if (!element) return;
    this.scopes.pop();
    this.depth--;
    this.current = element.parent;
    if (!this.current) this.closedRoot = true;
  }

  private onText(text: string): void {
    this.seenAnything = true;
    if (FORBIDDEN_CHAR.test(text)) throw this.error(EdxmlErrorCode.NOT_WELL_FORMED, 'not well-formed XML: a control character in text');
    const element = this.current;
    if (!element) return; // whitespace around the root; sax rejects anything else
    if (element.base64) {
      element.base64.write(text);
      return;
    }
    // Indentation between elements is not kept; text inside a value is.
    if (element.text === '' && text.trim() === '') return;
    this.retain(text.length);
    element.text += text;
  }

  private retain(chars: number): void {
    this.retained += chars;
    if (this.retained > this.limits.maxRetainedChars) {
      throw this.error(EdxmlErrorCode.LIMIT_EXCEEDED, `the packet's text outside attachments exceeds ${this.limits.maxRetainedChars} characters`, {
        limit: 'maxRetainedChars',
        ...(this.current ? { path: pathOf(this.current) } : {}),
      });
    }
  }
}

/** `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From` — local names from the root. */
export function pathOf(element: XmlElement): string {
  const names: string[] = [];
  for (let e: XmlElement | undefined = element; e; e = e.parent) names.push(e.local);
  return names.reverse().join('/');
}
