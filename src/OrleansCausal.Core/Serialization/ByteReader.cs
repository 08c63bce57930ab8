using System.Buffers.Binary;
using System.Text;

namespace OrleansCausal.Core.Serialization;

/// <summary>Reads what <see cref="ByteWriter"/> wrote; every overrun or malformed field throws <see cref="InvalidDataException"/>.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ByteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        Require(1);
        return _data[_position++];
    }

    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            if (shift == 63 && b > 1)
            {
                throw new InvalidDataException("A varint overflows 64 bits.");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && shift > 0)
                {
                    throw new InvalidDataException("A varint is not in its shortest form.");
                }

                return result;
            }
        }

        throw new InvalidDataException("A varint is longer than 10 bytes.");
    }

    public int ReadCount(int max)
    {
        var value = ReadVarUInt();
        if (value > (ulong)max)
        {
            throw new InvalidDataException($"A count of {value} exceeds the limit of {max}.");
        }

        return (int)value;
    }

    public uint ReadUInt32()
    {
        Require(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public long ReadInt64()
    {
        Require(8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public string ReadString(int maxBytes)
    {
        var count = ReadCount(maxBytes);
        Require(count);
        var value = Encoding.UTF8.GetString(_data.Slice(_position, count));
        _position += count;
        return value;
    }

    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
        {
            throw new InvalidDataException($"{_data.Length - _position} unexpected trailing bytes.");
        }
    }

    private readonly void Require(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException("The data ends early.");
        }
    }
}
