import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { SchemaRegistry } from './class-schema';

enum Level {
  Info = 'info',
  Alert = 'alert',
}

class Location {
  @IsNumber() lat!: number;
  @IsNumber() lon!: number;
}

class Tag {
  @IsString() name!: string;
}

class Notification {
  @IsUUID() id!: string;
  @IsEnum(Level) level!: Level;
  @IsIn(['a', 'b']) channel!: string;
  @IsEmail() @IsOptional() to?: string;
  @Length(1, 80) @Matches(/^[A-Z]/) title!: string;
  @IsBoolean() urgent!: boolean;
  @IsISO8601() at!: string;
  @ValidateNested() location!: Location;
  @IsArray() @ArrayMaxSize(5) @IsString({ each: true }) labels!: string[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => Tag) tags!: Tag[];
}

class Plain {
  name!: string;
}

class Tree {
  @IsString() label!: string;
  @IsOptional() @ValidateNested() @Type(() => Tree) parent?: Tree;
}

describe('SchemaRegistry', () => {
  it('maps class-validator rules to JSON Schema keywords', () => {
    const registry = new SchemaRegistry();
    expect(registry.refFor(Notification)).toEqual({ $ref: '#/components/schemas/Notification' });
    expect(registry.schemas.Notification).toEqual({
      type: 'object',
      title: 'Notification',
      properties: {
        id: { type: 'string', format: 'uuid' },
        level: { type: 'string', enum: ['info', 'alert'] },
        channel: { type: 'string', enum: ['a', 'b'] },
        to: { type: 'string', format: 'email' },
        title: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[A-Z]' },
        urgent: { type: 'boolean' },
        at: { type: 'string', format: 'date-time' },
        location: { $ref: '#/components/schemas/Location' },
        labels: { type: 'array', items: { type: 'string' }, maxItems: 5 },
        tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
      },
      required: ['id', 'level', 'channel', 'title', 'urgent', 'at', 'location', 'labels', 'tags'],
    });
    expect(Object.keys(registry.schemas).sort()).toEqual(['Location', 'Notification', 'Tag']);
  });

  it('gives a class without rules an open object schema', () => {
    const registry = new SchemaRegistry();
    registry.refFor(Plain);
    expect(registry.schemas.Plain).toEqual({ type: 'object', title: 'Plain', properties: {} });
  });

  it('writes a self-referencing DTO once and refers to it', () => {
    const registry = new SchemaRegistry();
    registry.refFor(Tree);
    expect(registry.schemas.Tree.properties).toEqual({
      label: { type: 'string' },
      parent: { $ref: '#/components/schemas/Tree' },
    });
  });

  it('keeps two classes of one name apart', () => {
    const registry = new SchemaRegistry();
    const first = class Reading {};
    const second = class Reading {};
    expect(registry.refFor(first)).toEqual({ $ref: '#/components/schemas/Reading' });
    expect(registry.refFor(second)).toEqual({ $ref: '#/components/schemas/Reading_2' });
    expect(registry.refFor(first)).toEqual({ $ref: '#/components/schemas/Reading' });
  });
});
