using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// One row of zeros with the given schema, for running a scoring graph whose wanted outputs do not depend on
/// the features. Only known-size Single vectors (the feature column) can be read.
/// </summary>
internal sealed class PlaceholderRow(DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema => schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => 1;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(schema, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded) : DataViewRowCursor
    {
        private readonly HashSet<int> active = columnsNeeded.Select(c => c.Index).ToHashSet();
        private long position = -1;

        public override DataViewSchema Schema => schema;

        public override long Position => position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext() => ++position == 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Type is VectorDataViewType { Size: > 0 and var size } vector && vector.ItemType == NumberDataViewType.Single && typeof(TValue) == typeof(VBuffer<float>))
            {
                ValueGetter<VBuffer<float>> zeros = (ref VBuffer<float> value) => value = new VBuffer<float>(size, new float[size]);
                return (ValueGetter<TValue>)(Delegate)zeros;
            }
            throw new NotSupportedException($"the placeholder row has no value for column '{column.Name}' of type {column.Type}");
        }
    }
}
