import { CanActivate, ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GatewayService } from './gateway.service';
import { InvalidTokenError } from './token-verifier';

/** The verified `sub` of the caller, set on the request by `JwtBearerGuard`. */
export interface AuthenticatedRequest extends Request {
  principal?: string;
}

const BEARER = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/;

/**
 * Lets a request through only with a valid bearer JWT (signature, expiry, issuer, audience). A refusal is a
 * 401 with `WWW-Authenticate: Bearer error="invalid_token"` and the reason; the token is never echoed.
 */
@Injectable()
export class JwtBearerGuard implements CanActivate {
  private readonly logger = new Logger('JwtBearerGuard');

  constructor(private readonly gateway: GatewayService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="sensor-hub"');
      throw new UnauthorizedException('a bearer token is required');
    }
    try {
      const claims = await this.gateway.verifier.verify(match[1]);
      request.principal = claims.sub;
      return true;
    } catch (error) {
      const why = error instanceof InvalidTokenError ? error.message : 'token could not be verified';
      this.logger.warn(`Refused ${request.method} ${request.originalUrl}: ${why}`);
      response.setHeader('WWW-Authenticate', `Bearer realm="sensor-hub", error="invalid_token"`);
      throw new UnauthorizedException(`invalid token: ${why}`);
    }
  }
}
