/**
 * A JSON body parser for the services' small internal endpoints (`/internal/events`, `/internal/presence`) that
 * answers a malformed or oversized body with the platform's error shape instead of Express's HTML page and stack.
 */
import express, { type RequestHandler } from 'express';
import { ErrorCode, errorBody } from './errors.ts';

export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) => {
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) {
        next();
        return;
      }
      const type = (error as { type?: string }).type;
      const status = type === 'entity.too.large' ? 413 : 400;
      const message = type === 'entity.too.large' ? `the body is larger than ${limit}` : `the body is not valid JSON: ${(error as Error).message}`;
      res.status(status).json(errorBody(status === 413 ? ErrorCode.LIMIT_EXCEEDED : ErrorCode.BAD_USER_INPUT, message));
    });
  };
}
