import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DEFAULT_JWT_SOURCE } from './auth.constants';
import { InjectJwtManager } from './inject-jwt-manager.decorator';
import { JwtAuthModule } from './jwt-auth.module';
import { JwtManager } from './jwt-manager';
import { fakeJwt } from '../test/helpers/fake-jwt';

const token = (sub: string) => async () => fakeJwt({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });

@Injectable()
class Consumer {
  constructor(
    readonly plain: JwtManager,
    @InjectJwtManager('b') readonly b: JwtManager,
  ) {}
}

describe('JwtAuthModule', () => {
  it('registers the default source under the JwtManager class and named ones under their token, globally', async () => {
    @Module({ providers: [Consumer] })
    class Feature {}
    const app = await Test.createTestingModule({
      imports: [
        JwtAuthModule.forRoot({ strategy: 'custom', fetchToken: token('a'), logger: false }),
        JwtAuthModule.forRootAsync({
          name: 'b',
          useFactory: async () => ({
            strategy: 'custom' as const,
            fetchToken: token('b'),
            logger: false as const,
          }),
        }),
        Feature,
      ],
    }).compile();
    await app.init();
    const consumer = app.get(Consumer);
    expect(consumer.plain.name).toBe(DEFAULT_JWT_SOURCE);
    expect(consumer.b.name).toBe('b');
    expect(consumer.plain.current()!.subject).toBe('a');
    expect(consumer.b.current()!.subject).toBe('b');
    await app.close();
    expect(consumer.b.status().state).toBe('closed');
  });

  it('refuses a source name that only the async factory returns', async () => {
    const build = Test.createTestingModule({
      imports: [
        JwtAuthModule.forRootAsync({
          useFactory: async () => ({
            name: 'late',
            strategy: 'custom' as const,
            fetchToken: token('a'),
            logger: false as const,
          }),
        }),
      ],
    }).compile();
    await expect(build).rejects.toMatchObject({ option: 'JwtAuthModule[default].name' });
  });

  it('can be registered non-globally', async () => {
    @Module({
      providers: [
        {
          provide: 'probe',
          inject: [{ token: JwtManager, optional: true }],
          useFactory: (m?: JwtManager) => m ?? null,
        },
      ],
    })
    class Elsewhere {}
    const app = await Test.createTestingModule({
      imports: [
        JwtAuthModule.forRoot({ strategy: 'custom', fetchToken: token('a'), logger: false, isGlobal: false }),
        Elsewhere,
      ],
    }).compile();
    expect(app.get('probe')).toBeNull();
    await app.close();
  });
});
