using System.Runtime.CompilerServices;

namespace CreditScoring.Sdk.Data;

/// <summary>
/// An append-only buffer in chunks of 8,192 elements (64 KB of doubles, under the large-object
/// threshold), copied once into an exact-size array at the end: loading a column of unknown length
/// never re-copies it while it grows and never churns the large-object heap.
/// </summary>
internal sealed class ChunkedBuffer<T>
{
    private const int ChunkSize = 8192;
    private readonly List<T[]> _full = [];
    private T[] _current = new T[ChunkSize];
    private int _used;

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value)
    {
        if (_used == ChunkSize)
        {
            NextChunk();
        }

        _current[_used++] = value;
        Count++;
    }

    public void AddRepeated(T value, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Add(value);
        }
    }

    public T[] ToArray()
    {
        var result = new T[Count];
        var offset = 0;
        foreach (var chunk in _full)
        {
            chunk.CopyTo(result, offset);
            offset += ChunkSize;
        }

        Array.Copy(_current, 0, result, offset, _used);
        return result;
    }

    public void Clear()
    {
        _full.Clear();
        _used = 0;
        Count = 0;
    }

    private void NextChunk()
    {
        _full.Add(_current);
        _current = new T[ChunkSize];
        _used = 0;
    }
}
