"""Message schemas as Python tables, built into `FileDescriptorProto`s on the protobuf
runtime (no protoc, no generated `*_pb2.py`).

A module of this package describes one family of TensorFlow's `.proto` files with
`proto_file(path, message(...), enum(...), deps=...)`; `message_class(name)` then gives the
runtime's class (the C `upb` parser where installed), so `ParseFromString`,
`SerializeToString` and `google.protobuf.text_format` behave exactly as with TensorFlow's
own classes. Everything lives in one private `DescriptorPool` under TensorFlow's package
name `tensorflow` and TensorFlow's file paths: full names and `Any` type URLs match
TensorFlow's, and a process that also imports TensorFlow sees no clash in the default pool.

Field tables read like the `.proto` they mirror:

    message("NodeDef",
            field(1, "name", STRING), field(2, "op", STRING),
            repeated(3, "input", STRING),
            map_field(5, "attr", STRING, msg("AttrValue")))

Message and enum references (`msg`, `enum_type`) name types relative to the package
("AttrValue.ListValue"); a leading dot gives a full name (".google.protobuf.Any").
"""
from __future__ import annotations

from dataclasses import dataclass, field as _dc_field
from typing import Optional, Union

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.internal import enum_type_wrapper

PACKAGE = "tensorflow"
POOL = descriptor_pool.DescriptorPool()

_F = descriptor_pb2.FieldDescriptorProto
DOUBLE, FLOAT, BOOL, STRING, BYTES = _F.TYPE_DOUBLE, _F.TYPE_FLOAT, _F.TYPE_BOOL, \
    _F.TYPE_STRING, _F.TYPE_BYTES
INT32, INT64, UINT32, UINT64, FIXED32, FIXED64 = _F.TYPE_INT32, _F.TYPE_INT64, \
    _F.TYPE_UINT32, _F.TYPE_UINT64, _F.TYPE_FIXED32, _F.TYPE_FIXED64


@dataclass(frozen=True)
class Ref:
    """A field type naming a message or an enum (resolved by the pool)."""
    kind: int
    name: str

    @property
    def full_name(self) -> str:
        return self.name if self.name.startswith(".") else f".{PACKAGE}.{self.name}"


def msg(name: str) -> Ref:
    return Ref(_F.TYPE_MESSAGE, name)


def enum_type(name: str) -> Ref:
    return Ref(_F.TYPE_ENUM, name)


FieldType = Union[int, Ref]


@dataclass(frozen=True)
class Field:
    number: int
    name: str
    type: FieldType
    repeated: bool = False
    oneof: Optional[str] = None
    map_types: Optional[tuple] = None  # (key type, value type) for map<K, V>


def field(number: int, name: str, type_: FieldType, oneof: Optional[str] = None) -> Field:
    """A singular field (in the oneof `oneof` if given)."""
    return Field(number, name, type_, oneof=oneof)


def repeated(number: int, name: str, type_: FieldType) -> Field:
    """A repeated field; proto3 packs repeated scalars on the wire by default."""
    return Field(number, name, type_, repeated=True)


def map_field(number: int, name: str, key: FieldType, value: FieldType) -> Field:
    """`map<key, value> name = number;` (a repeated nested `<Name>Entry` message)."""
    return Field(number, name, None, repeated=True, map_types=(key, value))


@dataclass(frozen=True)
class Enum:
    name: str
    values: tuple


def enum(name: str, *values: tuple) -> Enum:
    """`enum name { NAME = number; ... }` from (NAME, number) pairs, in order."""
    return Enum(name, tuple(values))


@dataclass(frozen=True)
class Message:
    name: str
    items: tuple = _dc_field(default=())
    reserved: tuple = ()


def message(name: str, *items, reserved: tuple = ()) -> Message:
    """A message from its fields, nested messages and nested enums."""
    return Message(name, items, reserved)


def _entry_name(field_name: str) -> str:
    # protoc's rule: "collection_def" -> "CollectionDefEntry"
    return "".join(p[:1].upper() + p[1:] for p in field_name.split("_")) + "Entry"


def _set_type(fp, type_: FieldType) -> None:
    if isinstance(type_, Ref):
        fp.type, fp.type_name = type_.kind, type_.full_name
    else:
        fp.type = type_


def _fill_message(mp, m: Message, scope: str, package: str = PACKAGE) -> None:
    mp.name = m.name
    here = f"{scope}.{m.name}" if scope else m.name
    oneofs: list[str] = []
    for item in m.items:
        if isinstance(item, Message):
            _fill_message(mp.nested_type.add(), item, here, package)
        elif isinstance(item, Enum):
            _fill_enum(mp.enum_type.add(), item)
        elif isinstance(item, Field):
            fp = mp.field.add()
            fp.name, fp.number, fp.json_name = item.name, item.number, _json_name(item.name)
            fp.label = _F.LABEL_REPEATED if item.repeated else _F.LABEL_OPTIONAL
            if item.map_types is not None:
                entry = mp.nested_type.add()
                entry.name = _entry_name(item.name)
                entry.options.map_entry = True
                for number, key, type_ in ((1, "key", item.map_types[0]),
                                           (2, "value", item.map_types[1])):
                    ep = entry.field.add()
                    ep.name, ep.number, ep.json_name = key, number, key
                    ep.label = _F.LABEL_OPTIONAL
                    _set_type(ep, type_)
                fp.type, fp.type_name = _F.TYPE_MESSAGE, f".{package}.{here}.{entry.name}"
            else:
                _set_type(fp, item.type)
            if item.oneof is not None:
                if item.oneof not in oneofs:
                    oneofs.append(item.oneof)
                    mp.oneof_decl.add().name = item.oneof
                fp.oneof_index = oneofs.index(item.oneof)
        else:
            raise TypeError(f"{m.name}: not a field, message or enum: {item!r}")
    for number in m.reserved:
        r = mp.reserved_range.add()
        r.start, r.end = number, number + 1


def _fill_enum(ep, e: Enum) -> None:
    ep.name = e.name
    for name, number in e.values:
        v = ep.value.add()
        v.name, v.number = name, number


def _json_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def proto_file(path: str, *items, deps: tuple = (), package: str = PACKAGE):
    """Build and register one `.proto` file of package `tensorflow` (or a subpackage of
    it, "tensorflow.tfprof"); returns its FileDescriptor. `deps` are the paths of the
    files whose types it uses."""
    fp = descriptor_pb2.FileDescriptorProto(name=path, package=package, syntax="proto3")
    fp.dependency.extend(deps)
    for item in items:
        if isinstance(item, Message):
            _fill_message(fp.message_type.add(), item, "", package)
        elif isinstance(item, Enum):
            _fill_enum(fp.enum_type.add(), item)
        else:
            raise TypeError(f"{path}: not a message or enum: {item!r}")
    return POOL.AddSerializedFile(fp.SerializeToString())


def add_well_known(file_descriptor) -> None:
    """Make a file of protobuf's own (google/protobuf/any.proto) known to the pool."""
    fp = descriptor_pb2.FileDescriptorProto()
    file_descriptor.CopyToProto(fp)
    POOL.AddSerializedFile(fp.SerializeToString())


def message_class(name: str):
    """The runtime's message class for `tensorflow.<name>` ("AttrValue.ListValue")."""
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(f"{PACKAGE}.{name}"))


def enum_wrapper(name: str) -> enum_type_wrapper.EnumTypeWrapper:
    """`tensorflow.<name>` as protobuf's enum wrapper (`.Name(n)`, `.Value("DT_FLOAT")`)."""
    return enum_type_wrapper.EnumTypeWrapper(POOL.FindEnumTypeByName(f"{PACKAGE}.{name}"))
